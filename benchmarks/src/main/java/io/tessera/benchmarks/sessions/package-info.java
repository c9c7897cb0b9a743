/**
 * The session benchmarks' applications: {@link io.tessera.benchmarks.sessions.SpringSessionApp}, Spring Session
 * Data Redis on Jetty 12 without Spring Boot, which {@code benchmarks/scripts/session-compare.sh} runs against
 * {@code redis-server} and against {@code tessera-server}.
 */
package io.tessera.benchmarks.sessions;
