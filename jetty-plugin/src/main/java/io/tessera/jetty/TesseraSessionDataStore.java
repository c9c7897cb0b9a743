package io.tessera.jetty;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.jetty.internal.CheckExpiredProcessor;
import io.tessera.jetty.internal.DeleteIfExpiredProcessor;
import io.tessera.jetty.internal.ExistsProcessor;
import io.tessera.jetty.internal.SessionRecord;
import io.tessera.jetty.internal.StoreProcessor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.ObjectStreamSessionDataStore;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.session.UnreadableSessionDataException;
import org.eclipse.jetty.session.UnwriteableSessionDataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty {@code SessionDataStore} that keeps sessions in one grid map shared by every context and node; made by
 * {@link TesseraSessionDataStoreFactory}, one per session handler.
 *
 * <p><b>Layout.</b> The key is {@code canonicalContextPath + "_" + vhost + "_" + id}, as Jetty's Hazelcast store
 * does, so contexts that share a session id (cross-context dispatch, the same cookie on two paths) keep separate
 * sessions. The value holds {@code SessionData}'s metadata as plain fields (context, vhost, last node, times,
 * expiry) and each attribute as a byte array of its own, written by Jetty's own {@code SessionData.serializeAttributes}
 * (as a one-attribute session): grid members and the expiry scans read expiry without the web app's classes and
 * without deserializing attributes, as with Infinispan's {@code InfinispanSessionData}, and a write can ship one
 * attribute.
 *
 * <p><b>Threads and class loaders.</b> Jetty calls every {@code do*} method inside {@code SessionContext.run}, on the
 * request or scavenger thread, under the web app's context class loader. Attributes are serialized and deserialized
 * there ({@link ObjectStreamSessionDataStore} and its {@code ClassLoadingObjectInputStream}, which picks the server
 * or web app loader per attribute), never on a grid thread. The store has no mutable state of its own besides what
 * Jetty's base class keeps.
 *
 * <p><b>Writes.</b> {@code doStore} runs a processor on the key's primary. A session saved before and only touched
 * (metadata dirty, attributes clean: what {@code savePeriod} limits) ships its metadata only and keeps the stored
 * attribute bytes. Jetty marks a whole session dirty when one attribute changes, so a dirty session is serialized
 * attribute by attribute and compared with what this node last stored or loaded of it (a digest per attribute, kept
 * for {@value #KNOWN_SESSIONS} sessions per context): only the attributes that changed or went travel, the others
 * stay as stored, also when another node changed them meanwhile. A session this node does not know (new, renewed,
 * or forgotten) is written in full. A session saved before whose entry is gone is not written back: another node
 * invalidated it or expired it meanwhile, and a late write of an in-flight request would resurrect it (jetty#3277,
 * #4646). JDBC's {@code UPDATE} of a missing row behaves the same way.
 *
 * <p><b>Expiry.</b> {@code doExists} and {@code doCheckExpired} run on the primary and answer from the metadata, so
 * no attribute bytes travel. {@code doGetExpired} (once per grace period per context and node) and
 * {@code doCleanOrphans} (once per ten grace periods) walk the map partition by partition with
 * {@link GridMap#partitionEntries}: each walk transfers every stored session of every context once, as Kryo-decoded
 * records whose attribute bytes are never deserialized. With the default grace period of one hour that is, per node
 * and context, the size of the whole map per hour, against one extra grid write per request for a separate metadata
 * map kept next to the blobs; the store chooses the scan. Orphans are removed by a processor that checks the expiry
 * again on the primary, so a session renewed since the scan survives.
 */
public class TesseraSessionDataStore extends ObjectStreamSessionDataStore {
    private static final Logger LOG = LoggerFactory.getLogger(TesseraSessionDataStore.class);
    /** How many sessions' attribute digests a store keeps; a session beyond them is written in full. */
    static final int KNOWN_SESSIONS = 100_000;

    private final Grid grid;
    private final GridMap<String, SessionRecord> map;
    private final Runnable onStop;
    /** Session id to the digests of its attributes as this node last stored or loaded them. */
    private final Cache<String, Map<String, AttributeDigest>> known = Caffeine.newBuilder()
            .maximumSize(KNOWN_SESSIONS).expireAfterAccess(Duration.ofHours(1)).build();

    /** The first 128 bits of an attribute blob's SHA-256: equal digests mean the attribute did not change. */
    private record AttributeDigest(long high, long low) {
        static AttributeDigest of(byte[] blob) {
            try {
                ByteBuffer sha = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(blob));
                return new AttributeDigest(sha.getLong(), sha.getLong());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }
    }

    TesseraSessionDataStore(Grid grid, GridMap<String, SessionRecord> map, Runnable onStop) {
        this.grid = Objects.requireNonNull(grid, "grid");
        this.map = Objects.requireNonNull(map, "map");
        this.onStop = onStop;
    }

    /**
     * Returns the name of the grid map holding the sessions of every context that uses this store's map name.
     *
     * @return the map's name, as set with {@link TesseraSessionDataStoreFactory#setMapName} when the store was made
     */
    public String getMapName() {
        return map.name();
    }

    /** The grid key of session {@code id} in this store's context. */
    String key(String id) {
        return _context.getCanonicalContextPath() + "_" + _context.getVhost() + "_" + id;
    }

    @Override
    public SessionData doLoad(String id) throws Exception {
        SessionRecord record = map.get(key(id));
        if (record == null) {
            return null;
        }
        try {
            SessionData data = newSessionData(id, record.created(), record.accessed(), record.lastAccessed(),
                    record.maxInactiveMs());
            data.setContextPath(record.contextPath());
            data.setVhost(record.vhost());
            data.setCookieSet(record.cookieSet());
            data.setLastNode(record.lastNode());
            data.setExpiry(record.expiry());
            data.setLastSaved(record.lastSaved());
            for (byte[] attribute : record.attributes().values()) {
                // Jetty's deserialization replaces a SessionData's attributes: each one is read on its own first.
                SessionData one = newSessionData(id, record.created(), record.accessed(), record.lastAccessed(),
                        record.maxInactiveMs());
                deserializeAttributes(one, new ByteArrayInputStream(attribute));
                data.putAllAttributes(one.getAllAttributes());
            }
            known.put(id, digests(record.attributes()));
            return data;
        } catch (Exception e) {
            known.invalidate(id);
            throw new UnreadableSessionDataException(id, _context, e);
        }
    }

    @Override
    public void doStore(String id, SessionData data, long lastSaveTime) throws Exception {
        boolean savedBefore = lastSaveTime > 0;
        Map<String, byte[]> written = new LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        boolean replace = false;
        Map<String, AttributeDigest> after = null;
        if (!savedBefore || data.isDirty()) {
            Map<String, byte[]> attributes = serializeEach(id, data);
            after = digests(attributes);
            Map<String, AttributeDigest> before = savedBefore ? known.getIfPresent(id) : null;
            replace = before == null;
            if (replace) {
                written = attributes;
            } else {
                for (Map.Entry<String, byte[]> attribute : attributes.entrySet()) {
                    String name = attribute.getKey();
                    if (!after.get(name).equals(before.get(name))) {
                        written.put(name, attribute.getValue());
                    }
                }
                for (String name : before.keySet()) {
                    if (!after.containsKey(name)) {
                        removed.add(name);
                    }
                }
            }
        }
        SessionRecord record = new SessionRecord(id, _context.getCanonicalContextPath(), _context.getVhost(),
                data.getLastNode(), data.getCreated(), data.getCookieSet(), data.getAccessed(),
                data.getLastAccessed(), data.getMaxInactiveMs(), data.getExpiry(), data.getLastSaved(),
                new LinkedHashMap<>());
        Boolean wrote;
        try {
            wrote = map.executeOnKey(key(id), new StoreProcessor(record, written, removed, replace, savedBefore));
        } catch (RuntimeException e) {
            known.invalidate(id); // the write may or may not have happened: the next one goes in full
            throw e;
        }
        if (!Boolean.TRUE.equals(wrote)) {
            known.invalidate(id);
            if (LOG.isDebugEnabled()) {
                LOG.debug("Session {} of context {} is gone from map {}: not written back", id,
                        _context.getCanonicalContextPath(), map.name());
            }
        } else if (after != null) {
            known.put(id, after);
        }
    }

    /** Each attribute of {@code data} serialized on its own, as a one-attribute session. */
    private Map<String, byte[]> serializeEach(String id, SessionData data) throws UnwriteableSessionDataException {
        Map<String, byte[]> attributes = new LinkedHashMap<>();
        for (String name : data.getKeys()) {
            SessionData one = newSessionData(id, data.getCreated(), data.getAccessed(), data.getLastAccessed(),
                    data.getMaxInactiveMs());
            one.putAllAttributes(Map.of(name, data.getAttribute(name)));
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            try {
                serializeAttributes(one, out);
            } catch (Exception e) {
                throw new UnwriteableSessionDataException(id, _context, e);
            }
            attributes.put(name, out.toByteArray());
        }
        return attributes;
    }

    private static Map<String, AttributeDigest> digests(Map<String, byte[]> attributes) {
        Map<String, AttributeDigest> digests = new HashMap<>();
        attributes.forEach((name, blob) -> digests.put(name, AttributeDigest.of(blob)));
        return digests;
    }

    @Override
    public boolean doExists(String id) throws Exception {
        return Boolean.TRUE.equals(map.executeOnKey(key(id), new ExistsProcessor(System.currentTimeMillis())));
    }

    @Override
    public boolean delete(String id) throws Exception {
        known.invalidate(id);
        return map.delete(key(id));
    }

    @Override
    public Set<String> doCheckExpired(Set<String> candidates, long time) {
        CheckExpiredProcessor check = new CheckExpiredProcessor(_context.getWorkerName(), time,
                TimeUnit.SECONDS.toMillis(getGracePeriodSec()));
        Map<String, CompletableFuture<Boolean>> verdicts = new HashMap<>();
        for (String id : candidates) {
            verdicts.put(id, map.executeOnKeyAsync(key(id), check));
        }
        Set<String> expired = new HashSet<>();
        verdicts.forEach((id, verdict) -> {
            try {
                if (Boolean.TRUE.equals(verdict.join())) {
                    expired.add(id);
                }
            } catch (RuntimeException e) {
                LOG.warn("Cannot check expiry of session {} of context {}: {}", id,
                        _context.getCanonicalContextPath(), e.toString());
            }
        });
        return expired;
    }

    @Override
    public Set<String> doGetExpired(long before) {
        String contextPath = _context.getCanonicalContextPath();
        String vhost = _context.getVhost();
        Set<String> expired = new HashSet<>();
        int partitions = grid.partitions().size();
        for (int p = 0; p < partitions; p++) {
            for (SessionRecord record : map.partitionEntries(p).values()) {
                if (record.expiredAt(before) && contextPath.equals(record.contextPath())
                        && vhost.equals(record.vhost())) {
                    expired.add(record.id());
                }
            }
        }
        return expired;
    }

    @Override
    public void doCleanOrphans(long before) {
        DeleteIfExpiredProcessor deleteIfExpired = new DeleteIfExpiredProcessor(before);
        int partitions = grid.partitions().size();
        int removed = 0;
        for (int p = 0; p < partitions; p++) {
            for (Map.Entry<String, SessionRecord> entry : map.partitionEntries(p).entrySet()) {
                if (entry.getValue().expiredAt(before)
                        && Boolean.TRUE.equals(map.executeOnKey(entry.getKey(), deleteIfExpired))) {
                    removed++;
                }
            }
        }
        if (removed > 0 && LOG.isDebugEnabled()) {
            LOG.debug("Removed {} orphaned sessions expired before {} from map {}", removed, before, map.name());
        }
    }

    /** True: attributes are serialized into the grid, so Jetty calls activation listeners around each write. */
    @Override
    public boolean isPassivating() {
        return true;
    }

    @Override
    protected void doStop() throws Exception {
        try {
            super.doStop();
        } finally {
            if (onStop != null) {
                onStop.run();
            }
        }
    }

    @Override
    public String toString() {
        return String.format("%s[map=%s]", super.toString(), map.name());
    }
}
