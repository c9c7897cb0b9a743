package io.tessera.grid.internal.operation;

import io.tessera.grid.EntryEventType;
import io.tessera.grid.EntryProcessor;
import io.tessera.grid.GridSerializationException;
import io.tessera.grid.MultiKeyProcessor;
import io.tessera.grid.internal.replication.ChangeSet;
import io.tessera.grid.internal.serialization.GridSerializer;
import io.tessera.grid.internal.store.BytesKey;
import io.tessera.grid.internal.store.MemoryAccount;
import io.tessera.grid.internal.store.Record;
import io.tessera.grid.internal.store.RecordStore;
import io.tessera.grid.internal.wire.WireReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What each {@link OpCode} does to a map-partition on its primary: reads and changes the store through a
 * {@link ChangeSet} and returns the caller's result. Runs on the partition's thread.
 *
 * <p>An entry processor's changes are committed only when everything the call produces could be serialized (the new
 * values and the result): a call that fails changes nothing, so a caller that retries it does not apply it twice.
 *
 * <p>On a bounded map that evicts nothing, a write that would take the member beyond its bound is refused before it
 * changes anything ({@link MapFull}): a put by what it adds, a processor by the values it sets. Live operations
 * change a value in place as the processor runs, before anything can be refused, so they are not refused here; the
 * RESP server refuses them up front, as Redis does, while its node is beyond {@code maxmemory}.
 */
final class OperationApplier {
    private final GridSerializer serializer;

    OperationApplier(GridSerializer serializer) {
        this.serializer = serializer;
    }

    /** A write would take a bounded map that evicts nothing beyond its member's bound; nothing was applied. */
    static final class MapFull extends RuntimeException {
        MapFull(String message) {
            super(message, null, false, false);
        }
    }

    /** An entry processor threw; its message names the exception. */
    static final class ProcessorFailure extends RuntimeException {
        ProcessorFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static long expireAtFor(long ttlMillis, Record current, long now) {
        if (ttlMillis < 0) {
            return current == null ? 0 : current.expireAt();
        }
        return ttlMillis == 0 ? 0 : now + ttlMillis;
    }

    /**
     * Refuses a write of {@code value} over {@code current} (null for a new key) when {@code bound} (null: no check)
     * says it would take the member beyond its bound.
     */
    private static void admit(MemoryAccount bound, Record current, byte[] key, byte[] value, long expireAt,
                              long maxIdle) {
        if (bound == null) {
            return;
        }
        long grows = Record.footprint(key.length, value.length, expireAt > 0 || maxIdle > 0)
                - (current == null ? 0 : current.footprint());
        String full = bound.wouldExceed(current == null ? 1 : 0, grows);
        if (full != null) {
            throw new MapFull(full);
        }
    }

    /**
     * Applies {@code request} to {@code store}; {@code bound} is the member's account of a bounded map whose growing
     * writes must be refused beyond the bound, else null.
     */
    OperationResult apply(RecordStore store, OperationRequest request, long now, ChangeSet changes,
                          MemoryAccount bound) {
        BytesKey key = new BytesKey(request.key());
        Record current = store.get(key);
        if (current != null && current.isExpiredAt(now)) {
            changes.remove(current, EntryEventType.EXPIRED);
            current = null;
        }
        long maxIdle = request.map().maxIdleMillis();
        byte format = request.keyFormat();
        switch (request.code()) {
            case GET -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                store.accessed(current, now);
                if (current.maxIdleMillis() > 0) {
                    changes.touch(current, now);
                }
                return OperationResult.ok(current.value(), current.expireAt());
            }
            case CONTAINS_KEY -> {
                return OperationResult.ok(null, current == null ? 0 : 1);
            }
            case PUT, SET -> {
                long expireAt = expireAtFor(request.ttlMillis(), current, now);
                admit(bound, current, request.key(), request.value(), expireAt, maxIdle);
                changes.write(current, key, format, request.value(), expireAt, maxIdle, now);
                return OperationResult.ok(current == null || request.code() == OpCode.SET ? null : current.value(),
                        current == null ? 0 : 1);
            }
            case PUT_IF_ABSENT -> {
                if (current != null) {
                    return OperationResult.ok(current.value(), 1);
                }
                long expireAt = expireAtFor(request.ttlMillis(), null, now);
                admit(bound, null, request.key(), request.value(), expireAt, maxIdle);
                changes.write(null, key, format, request.value(), expireAt, maxIdle, now);
                return OperationResult.ok(null, 0);
            }
            case REPLACE -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                long expireAt = expireAtFor(request.ttlMillis(), current, now);
                admit(bound, current, request.key(), request.value(), expireAt, maxIdle);
                changes.write(current, key, format, request.value(), expireAt, maxIdle, now);
                return OperationResult.ok(current.value(), 1);
            }
            case REPLACE_IF_SAME -> {
                if (current == null || !Arrays.equals(current.value(), request.expected())) {
                    return OperationResult.ok(null, 0);
                }
                long expireAt = expireAtFor(request.ttlMillis(), current, now);
                admit(bound, current, request.key(), request.value(), expireAt, maxIdle);
                changes.write(current, key, format, request.value(), expireAt, maxIdle, now);
                return OperationResult.ok(null, 1);
            }
            case REMOVE, DELETE -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                changes.remove(current, EntryEventType.REMOVED);
                return OperationResult.ok(request.code() == OpCode.REMOVE ? current.value() : null, 1);
            }
            case REMOVE_IF_SAME -> {
                if (current == null || !Arrays.equals(current.value(), request.expected())) {
                    return OperationResult.ok(null, 0);
                }
                changes.remove(current, EntryEventType.REMOVED);
                return OperationResult.ok(null, 1);
            }
            case EXPIRE -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                if (request.ttlMillis() <= 0) {
                    changes.remove(current, EntryEventType.EXPIRED);
                } else {
                    changes.write(current, key, current.keyFormat(), current.value(), now + request.ttlMillis(),
                            current.maxIdleMillis(), now);
                }
                return OperationResult.ok(null, 1);
            }
            case PERSIST -> {
                if (current == null) {
                    return OperationResult.ok(null, 0);
                }
                if (current.expireAt() == 0) {
                    return OperationResult.ok(null, 2);
                }
                changes.write(current, key, current.keyFormat(), current.value(), 0, current.maxIdleMillis(), now);
                return OperationResult.ok(null, 1);
            }
            case TTL -> {
                if (current == null) {
                    return OperationResult.ok(null, -2);
                }
                return OperationResult.ok(null, current.expireAt() == 0 ? -1 : Math.max(0, current.expireAt() - now));
            }
            case EXECUTE -> {
                OperationResult result = executeProcessor(current, key, format, request, now, changes, bound);
                accessedAfter(store, current, now);
                return result;
            }
            case EXECUTE_MULTI -> {
                OperationResult result = executeMultiKeyProcessor(store, current, key, format, request, now, changes,
                        bound);
                accessedAfter(store, current, now);
                return result;
            }
            default -> throw new IllegalStateException("unhandled " + request.code());
        }
    }

    /**
     * The processor to run: the caller's own object when the call began on this member (decoding the bytes again
     * would only make a copy; a processor that keeps state across calls is not supported anyway), else the decoded
     * bytes.
     */
    private Object processorOf(OperationRequest request) {
        return request.localProcessor() != null ? request.localProcessor()
                : serializer.decodeObject(request.processor());
    }

    /** What a processor did to one entry, with the new value already serialized; committed by {@link #commit}. */
    private record Outcome(Record current, BytesKey key, byte format, ProcessedEntry entry, byte[] newValue) {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private OperationResult executeProcessor(Record current, BytesKey key, byte format, OperationRequest request,
                                             long now, ChangeSet changes, MemoryAccount bound) {
        Object processor = processorOf(request);
        if (!(processor instanceof EntryProcessor<?, ?, ?> entryProcessor)) {
            throw new GridSerializationException("not an EntryProcessor: " + processor.getClass().getName());
        }
        ProcessedEntry entry = entry(key, format, current, now, changes.store());
        Object result;
        try {
            result = ((EntryProcessor) entryProcessor).process(entry);
        } catch (RuntimeException e) {
            commitLiveOperations(List.of(entry), Collections.singletonList(current), List.of(key), List.of(format),
                    request, now, changes);
            throw new ProcessorFailure("entry processor " + processor.getClass().getName() + " failed: " + e, e);
        }
        Outcome outcome;
        byte[] resultBytes;
        try {
            outcome = prepare(current, key, format, entry);
            resultBytes = result == null ? null : serializer.encodeValue(result);
            admit(bound, List.of(outcome), request.map().maxIdleMillis());
        } catch (GridSerializationException | MapFull e) {
            commitLiveOperations(List.of(entry), Collections.singletonList(current), List.of(key), List.of(format),
                    request, now, changes);
            throw e;
        }
        commit(outcome, request.map().maxIdleMillis(), now, changes);
        return OperationResult.ok(resultBytes, result == null ? 0 : 1);
    }

    private ProcessedEntry entry(BytesKey key, byte format, Record current, long now, RecordStore store) {
        return new ProcessedEntry(serializer.decodeKey(key.bytes(), format), current, serializer::decodeValue,
                serializer::encodeValue, now, store.scratch());
    }

    /**
     * After a processor failed: live operations it applied changed the values in place already, so they are
     * committed (and replicated) even so; everything else it did is dropped.
     */
    private static void commitLiveOperations(List<ProcessedEntry> entries, List<Record> currents, List<BytesKey> keys,
                                             List<Byte> formats, OperationRequest request, long now,
                                             ChangeSet changes) {
        for (int i = 0; i < entries.size(); i++) {
            ProcessedEntry entry = entries.get(i);
            if (entry.operations() != null) {
                Record current = currents.get(i);
                changes.applyLive(current, keys.get(i), formats.get(i), entry.live(), entry.operations(),
                        current == null ? 0 : current.expireAt(), request.map().maxIdleMillis(), now);
            }
        }
    }

    /** Serializes what the processor set, before anything is committed (this is where an unregistered class fails). */
    private Outcome prepare(Record current, BytesKey key, byte format, ProcessedEntry entry) {
        byte[] newValue = entry.changed() ? serializer.encodeValue(entry.getValue()) : null;
        return new Outcome(current, key, format, entry, newValue);
    }

    /** Refuses what processors did to entries when {@code bound} (null: no check) says it is beyond the bound. */
    private static void admit(MemoryAccount bound, List<Outcome> outcomes, long maxIdle) {
        if (bound == null) {
            return;
        }
        long entries = 0;
        long bytes = 0;
        for (Outcome outcome : outcomes) {
            Record current = outcome.current;
            ProcessedEntry entry = outcome.entry;
            if (entry.removed()) {
                entries -= current == null ? 0 : 1;
                bytes -= current == null ? 0 : current.footprint();
            } else if (entry.changed()) {
                entries += current == null ? 1 : 0;
                bytes += Record.footprint(outcome.key.bytes().length, outcome.newValue.length,
                        entry.expireAt() > 0 || maxIdle > 0) - (current == null ? 0 : current.footprint());
            }
        }
        String full = bound.wouldExceed(entries, bytes);
        if (full != null) {
            throw new MapFull(full);
        }
    }

    /** Turns what a processor did to one entry into changes. */
    private static void commit(Outcome outcome, long maxIdle, long now, ChangeSet changes) {
        ProcessedEntry entry = outcome.entry;
        Record current = outcome.current;
        if (entry.operations() != null) {
            // The operations changed the value in place: they are the key's next state on every replica, whatever
            // the processor did afterwards (a removal or a whole new value follows them in the stream).
            long expireAt = entry.changed() || entry.removed() ? current == null ? 0 : current.expireAt()
                    : entry.expireAt();
            current = changes.applyLive(current, outcome.key, outcome.format, entry.live(), entry.operations(),
                    expireAt != 0 && expireAt <= now ? (current == null ? 0 : current.expireAt()) : expireAt,
                    maxIdle, now);
            if (!entry.changed() && !entry.removed()) {
                if (expireAt != 0 && expireAt <= now) {
                    changes.remove(current, EntryEventType.EXPIRED);
                }
                return;
            }
        }
        if (entry.removed()) {
            if (current != null) {
                changes.remove(current, EntryEventType.REMOVED);
            }
        } else if (entry.changed() || (current != null && entry.expireAt() != current.expireAt())) {
            long expireAt = entry.expireAt();
            if (expireAt != 0 && expireAt <= now) {
                if (current != null) {
                    changes.remove(current, EntryEventType.EXPIRED);
                }
            } else {
                byte[] value = entry.changed() ? outcome.newValue : current.value();
                changes.write(current, outcome.key, outcome.format, value, expireAt, maxIdle, now);
            }
        }
    }

    /**
     * Runs a multi-key processor: the first key is the request's, the others travel in its value (count, then key
     * bytes and format each). All are in this partition; the caller checked. Either every change is committed, or
     * (when a value or the result cannot be serialized) none.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private OperationResult executeMultiKeyProcessor(RecordStore store, Record firstCurrent, BytesKey firstKey,
                                                     byte firstFormat, OperationRequest request, long now,
                                                     ChangeSet changes, MemoryAccount bound) {
        Object processor = processorOf(request);
        if (!(processor instanceof MultiKeyProcessor<?, ?, ?> multi)) {
            throw new GridSerializationException("not a MultiKeyProcessor: " + processor.getClass().getName());
        }
        WireReader others = new WireReader(request.value());
        int count = others.readVarInt();
        List<BytesKey> keys = new ArrayList<>(count + 1);
        List<Byte> formats = new ArrayList<>(count + 1);
        List<Record> currents = new ArrayList<>(count + 1);
        keys.add(firstKey);
        formats.add(firstFormat);
        currents.add(firstCurrent);
        for (int i = 0; i < count; i++) {
            BytesKey key = new BytesKey(others.readBytes());
            byte format = others.readByte();
            Record current = store.get(key);
            if (current != null && current.isExpiredAt(now)) {
                changes.remove(current, EntryEventType.EXPIRED);
                current = null;
            }
            keys.add(key);
            formats.add(format);
            currents.add(current);
        }
        List<ProcessedEntry> entries = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            Record current = currents.get(i);
            entries.add(entry(keys.get(i), formats.get(i), current, now, store));
        }
        Object result;
        try {
            result = ((MultiKeyProcessor) multi).process(Collections.unmodifiableList(entries));
        } catch (RuntimeException e) {
            commitLiveOperations(entries, currents, keys, formats, request, now, changes);
            throw new ProcessorFailure("processor " + processor.getClass().getName() + " failed: " + e, e);
        }
        List<Outcome> outcomes = new ArrayList<>(keys.size());
        byte[] resultBytes;
        try {
            for (int i = 0; i < keys.size(); i++) {
                outcomes.add(prepare(currents.get(i), keys.get(i), formats.get(i), entries.get(i)));
            }
            resultBytes = result == null ? null : serializer.encodeValue(result);
            admit(bound, outcomes, request.map().maxIdleMillis());
        } catch (GridSerializationException | MapFull e) {
            commitLiveOperations(entries, currents, keys, formats, request, now, changes);
            throw e;
        }
        for (Outcome outcome : outcomes) {
            commit(outcome, request.map().maxIdleMillis(), now, changes);
        }
        for (int i = 1; i < currents.size(); i++) {
            accessedAfter(store, currents.get(i), now);
        }
        return OperationResult.ok(resultBytes, result == null ? 0 : 1);
    }

    /**
     * Counts a processor's visit to {@code current} as an access, after the processor ran: it saw the entry's last
     * access as it was before (what {@code OBJECT IDLETIME} reports). A record the processor replaced is no longer in
     * the store; its successor carries the counts over already.
     */
    private static void accessedAfter(RecordStore store, Record current, long now) {
        if (current != null && store.holds(current)) {
            store.accessed(current, now);
        }
    }
}
