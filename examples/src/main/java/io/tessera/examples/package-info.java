/**
 * Runnable examples of Tessera: the embedded {@code GridMap} demo ({@link io.tessera.examples.EmbeddedMapDemo}), the
 * README's code ({@link io.tessera.examples.ReadmeExample}, compiled and run by a test so it cannot drift), and in
 * {@code session} the session demo on Jetty or Tomcat behind nginx.
 */
package io.tessera.examples;
