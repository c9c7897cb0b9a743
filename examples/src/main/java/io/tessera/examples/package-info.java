/**
 * Runnable examples of Tessera: the embedded {@code GridMap} demo ({@link io.tessera.examples.EmbeddedMapDemo}), the
 * README's code ({@link io.tessera.examples.ReadmeExample}, compiled and run by a test so it cannot drift), the code
 * of docs/embedding.md ({@link io.tessera.examples.ClusterExample}, {@link io.tessera.examples.GridMapExample},
 * {@link io.tessera.examples.EntryProcessorExample}, {@link io.tessera.examples.ListenerExample},
 * {@link io.tessera.examples.NearCacheExample}, {@link io.tessera.examples.SerializationExample}: the guide shows their
 * tagged regions, and tests run them and compare the guide with them), and in {@code session} the session demo on
 * Jetty or Tomcat behind nginx.
 */
package io.tessera.examples;
