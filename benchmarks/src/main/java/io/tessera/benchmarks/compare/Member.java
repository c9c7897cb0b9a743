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
import java.util.concurrent.ConcurrentMap;

/**
 * One member of either product, configured alike: TCP on 127.0.0.1 at a given port, the other members listed (no
 * multicast discovery), map {@code bench} with one synchronous backup and no near cache.
 */
abstract class Member implements AutoCloseable {
    static final String MAP = "bench";

    private final ConcurrentMap<String, byte[]> map;

    /** Both products' maps are {@code ConcurrentMap}s; only {@link #set} (no old value back) differs. */
    Member(ConcurrentMap<String, byte[]> map) {
        this.map = map;
    }

    final void put(String key, byte[] value) {
        map.put(key, value);
    }

    final byte[] get(String key) {
        return map.get(key);
    }

    abstract void set(String key, byte[] value);

    /** Whether this member sees {@code size} members and every partition has its backup. */
    abstract boolean formed(int size);

    /** Waits (up to a minute) until {@link #formed}, then two seconds more for the last migrations to finish. */
    final void awaitClusterOf(int size) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!formed(size)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(getClass().getSimpleName() + " did not form a cluster of " + size);
            }
            Thread.sleep(100);
        }
        Thread.sleep(2000);
    }

    @Override
    public abstract void close();

    static Member start(Product product, String cluster, int[] ports, int index) {
        return product == Product.TESSERA ? new TesseraMember(cluster, ports, index)
                : new HazelcastMember(cluster, ports, index);
    }

    private static final class TesseraMember extends Member {
        private final Grid grid;
        private final GridMap<String, byte[]> map;

        private TesseraMember(Grid grid) {
            super(grid.<String, byte[]>map(MAP));
            this.grid = grid;
            this.map = grid.map(MAP);
        }

        TesseraMember(String cluster, int[] ports, int index) {
            this(Grid.builder().clusterName(cluster).memberName("m" + index).bindAddress("127.0.0.1")
                    .bindPort(ports[index]).initialMembers(Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p)
                            .toArray(String[]::new)).maxBackups(1)
                    .operationTimeout(Duration.ofSeconds(30)).start());
        }

        @Override
        void set(String key, byte[] value) {
            map.set(key, value);
        }

        @Override
        boolean formed(int size) {
            return grid.members().size() >= size && settled();
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

        private HazelcastMember(HazelcastInstance instance) {
            super(instance.<String, byte[]>getMap(MAP));
            this.instance = instance;
            this.map = instance.getMap(MAP);
        }

        HazelcastMember(String cluster, int[] ports, int index) {
            this(Hazelcast.newHazelcastInstance(config(cluster, ports, index)));
        }

        private static Config config(String cluster, int[] ports, int index) {
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
            return config;
        }

        @Override
        void set(String key, byte[] value) {
            map.set(key, value);
        }

        @Override
        boolean formed(int size) {
            return instance.getCluster().getMembers().size() >= size
                    && instance.getPartitionService().isClusterSafe();
        }

        @Override
        public void close() {
            instance.shutdown();
        }
    }
}
