package io.tessera.benchmarks.compare;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.tessera.grid.Grid;
import io.tessera.grid.GridMap;
import io.tessera.grid.Partition;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One member of either product, configured alike: TCP on 127.0.0.1 at a given port, the other members listed (no
 * multicast discovery), map {@code bench} with one synchronous backup and no near cache.
 */
abstract class Member implements AutoCloseable {
    static final String MAP = "bench";

    abstract void put(String key, byte[] value);

    abstract void set(String key, byte[] value);

    abstract byte[] get(String key);

    /** Waits until this member sees {@code size} members and every partition has its backup. */
    abstract void awaitClusterOf(int size) throws InterruptedException;

    @Override
    public abstract void close();

    static Member start(Product product, String cluster, int[] ports, int index) {
        return product == Product.TESSERA ? new TesseraMember(cluster, ports, index)
                : new HazelcastMember(cluster, ports, index);
    }

    private static final class TesseraMember extends Member {
        private final Grid grid;
        private final GridMap<String, byte[]> map;

        TesseraMember(String cluster, int[] ports, int index) {
            String members = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
            grid = Grid.builder().clusterName(cluster).memberName("m" + index).bindAddress("127.0.0.1")
                    .bindPort(ports[index]).initialMembers(members.split(",")).maxBackups(1)
                    .operationTimeout(Duration.ofSeconds(30)).start();
            map = grid.map(MAP);
        }

        @Override
        void put(String key, byte[] value) {
            map.put(key, value);
        }

        @Override
        void set(String key, byte[] value) {
            map.set(key, value);
        }

        @Override
        byte[] get(String key) {
            return map.get(key);
        }

        @Override
        void awaitClusterOf(int size) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (grid.members().size() < size || !settled()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("tessera did not form a cluster of " + size);
                }
                Thread.sleep(100);
            }
            Thread.sleep(2000); // let the last migrations finish before measuring
        }

        private boolean settled() {
            for (Partition p : grid.partitions()) {
                if (p.primary() == null || p.backups().isEmpty()) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() {
            grid.close();
        }
    }

    private static final class HazelcastMember extends Member {
        private final HazelcastInstance instance;
        private final IMap<String, byte[]> map;

        HazelcastMember(String cluster, int[] ports, int index) {
            Config config = new Config().setClusterName(cluster).setInstanceName(cluster + "-" + index);
            config.setProperty("hazelcast.phone.home.enabled", "false");
            config.setProperty("hazelcast.logging.type", "none");
            NetworkConfig network = config.getNetworkConfig().setPort(ports[index]).setPortAutoIncrement(false);
            network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
            JoinConfig join = network.getJoin();
            join.getMulticastConfig().setEnabled(false);
            join.getAutoDetectionConfig().setEnabled(false);
            for (int port : ports) {
                join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
            }
            config.getMapConfig(MAP).setBackupCount(1).setAsyncBackupCount(0);
            instance = Hazelcast.newHazelcastInstance(config);
            map = instance.getMap(MAP);
        }

        @Override
        void put(String key, byte[] value) {
            map.put(key, value);
        }

        @Override
        void set(String key, byte[] value) {
            map.set(key, value);
        }

        @Override
        byte[] get(String key) {
            return map.get(key);
        }

        @Override
        void awaitClusterOf(int size) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (instance.getCluster().getMembers().size() < size || !instance.getPartitionService().isClusterSafe()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("hazelcast did not form a cluster of " + size);
                }
                Thread.sleep(100);
            }
            Thread.sleep(2000);
        }

        @Override
        public void close() {
            instance.shutdown();
        }
    }
}
