package io.tessera.jetty.internal;

import java.util.Map;

/**
 * One Jetty session as the grid holds it: the plain metadata fields of {@code SessionData}, readable by any member
 * without the web app's classes, next to its attributes, each one a Java-serialized blob of its own.
 *
 * <p>The blobs are written and read only by {@code TesseraSessionDataStore} on the request thread under the web app's
 * class loader; grid members (and the expiry scans) see them as bytes. One blob per attribute lets a request that
 * changed one attribute ship that attribute only ({@link StoreProcessor}).
 *
 * @param id the session id (without the worker suffix)
 * @param contextPath the canonical context path, as {@code SessionContext} gives it
 * @param vhost the canonical virtual host
 * @param lastNode the worker name of the node that last managed the session
 * @param created the creation time, epoch millis
 * @param cookieSet when the cookie was last set, epoch millis
 * @param accessed the last access, epoch millis
 * @param lastAccessed the access before that, epoch millis
 * @param maxInactiveMs the max inactive interval; zero or negative means never expires
 * @param expiry when the session expires, epoch millis; zero or negative means never
 * @param lastSaved when the session was last written, epoch millis
 * @param attributes attribute name to the attribute as written by {@code SessionData.serializeAttributes} (a
 *     one-attribute session); empty in a record that travels in a {@link StoreProcessor}, which carries the
 *     attributes it writes itself
 */
public record SessionRecord(String id, String contextPath, String vhost, String lastNode, long created,
                            long cookieSet, long accessed, long lastAccessed, long maxInactiveMs, long expiry,
                            long lastSaved, Map<String, byte[]> attributes) {

    /** Whether the session has an expiry and it is at or before {@code time}. */
    public boolean expiredAt(long time) {
        return expiry > 0 && expiry <= time;
    }

    /** This record's metadata with {@code newAttributes} in place of its own. */
    public SessionRecord withAttributes(Map<String, byte[]> newAttributes) {
        return new SessionRecord(id, contextPath, vhost, lastNode, created, cookieSet, accessed, lastAccessed,
                maxInactiveMs, expiry, lastSaved, newAttributes);
    }
}
