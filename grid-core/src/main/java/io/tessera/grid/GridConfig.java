package io.tessera.grid;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The immutable settings of a grid member, as made by {@link GridBuilder}; see its setters for meanings.
 *
 * @param clusterName the cluster to join
 * @param stack the bundled stack name or a JGroups XML path
 * @param bindAddress the transport's bind address, or {@code null} for the stack's default
 * @param bindPort the exact transport port, or 0 for the stack's default (the first free of 7800..7810)
 * @param initialMembers the {@code host:port} list of the static TCP stack
 * @param dnsQuery the DNS name(s) the {@code kubernetes} stack's discovery asks, or {@code null} for the stack's
 * @param dnsAddress the DNS server ({@code host[:port]}) that discovery asks, or {@code null} for the stack's
 * @param dnsRecordType {@code A}, {@code AAAA} or {@code SRV}, or {@code null} for the stack's
 * @param partitionCount the number of partitions
 * @param maxBackups the backup owners per partition
 * @param serialization the registered classes
 * @param operationTimeout the deadline of every operation
 * @param memberName this member's name, or {@code null}
 * @param clock the clock expiry, leases and deadlines read
 * @param executor the executor that completes asynchronous results, or {@code null} for the member's own pool
 * @param partitionExecutors the single-threaded executors the partitions run on, or empty for threads of the
 *     member's own
 * @param tombstoneRetention how long deletions are remembered for merges
 * @param meterRegistry where the member's meters are registered
 * @param security the member's authentication and encryption, {@link ClusterSecurity#none()} for none
 */
public record GridConfig(String clusterName, String stack, String bindAddress, int bindPort,
                         List<String> initialMembers, String dnsQuery, String dnsAddress, String dnsRecordType,
                         int partitionCount, int maxBackups,
                         SerializationConfig serialization, Duration operationTimeout, String memberName,
                         GridClock clock, Executor executor, List<Executor> partitionExecutors,
                         Duration tombstoneRetention, MeterRegistry meterRegistry, ClusterSecurity security) {
    /**
     * Creates the settings as given, without validating them ({@link GridBuilder}'s setters do), and copies the lists
     * so that the config stays immutable.
     *
     * @param clusterName the cluster to join
     * @param stack the bundled stack name or a JGroups XML path
     * @param bindAddress the transport's bind address, or {@code null} for the stack's default
     * @param bindPort the exact transport port, or 0 for the stack's default
     * @param initialMembers the {@code host:port} list of the static TCP stack; copied
     * @param dnsQuery the DNS name(s) discovery asks, or {@code null} for the stack's
     * @param dnsAddress the DNS server discovery asks, or {@code null} for the stack's
     * @param dnsRecordType {@code A}, {@code AAAA} or {@code SRV}, or {@code null} for the stack's
     * @param partitionCount the number of partitions
     * @param maxBackups the backup owners per partition
     * @param serialization the registered classes
     * @param operationTimeout the deadline of every operation
     * @param memberName this member's name, or {@code null}
     * @param clock the clock expiry, leases and deadlines read
     * @param executor the executor that completes asynchronous results, or {@code null} for the member's own pool
     * @param partitionExecutors the executors the partitions run on, or empty for threads of the member's own; copied
     * @param tombstoneRetention how long deletions are remembered for merges
     * @param meterRegistry where the member's meters are registered
     * @param security the member's authentication and encryption, {@link ClusterSecurity#none()} for none
     */
    public GridConfig {
        initialMembers = List.copyOf(initialMembers);
        partitionExecutors = List.copyOf(partitionExecutors);
        security = security == null ? ClusterSecurity.none() : security;
    }
}
