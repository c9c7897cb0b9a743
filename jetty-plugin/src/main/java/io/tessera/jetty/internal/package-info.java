/**
 * The grid side of Tessera's Jetty session store: the value a session is stored as ({@link
 * io.tessera.jetty.internal.SessionRecord}) and the entry processors that read or change it on the key's primary.
 *
 * <p>Processors run on grid partition threads, owned by grid-core; they only compare longs and swap references, never
 * deserialize attributes (the blob stays bytes outside the web app) and never block. Everything here is registered
 * with Kryo under fixed ids by {@code TesseraSessionDataStoreFactory.registerTypes}. Nothing outside the
 * jetty-plugin module may import this package.
 */
package io.tessera.jetty.internal;
