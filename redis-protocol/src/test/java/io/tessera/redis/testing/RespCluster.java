package io.tessera.redis.testing;

import io.tessera.grid.Grid;
import io.tessera.grid.SerializationConfig;
import io.tessera.grid.testing.GridCluster;
import io.tessera.redis.RespServer;
import io.tessera.redis.RespServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Grid members in this JVM (the {@code local} stack), each with its own RESP server on an ephemeral port of
 * 127.0.0.1: what a test needs to point real Redis clients at different members of one cluster.
 */
public final class RespCluster implements AutoCloseable {
    private final GridCluster grid;
    private final List<RespServer> servers = new ArrayList<>();
    private final UnaryOperator<RespServerConfig.Builder> serverCustomizer;

    private RespCluster(GridCluster grid, UnaryOperator<RespServerConfig.Builder> serverCustomizer) {
        this.grid = grid;
        this.serverCustomizer = serverCustomizer;
    }

    /** {@code size} members, default server settings. */
    public static RespCluster start(int size) {
        return start(size, b -> b);
    }

    /** {@code size} members whose server settings {@code serverCustomizer} adjusts. */
    public static RespCluster start(int size, UnaryOperator<RespServerConfig.Builder> serverCustomizer) {
        GridCluster grid = GridCluster.start(size, b -> b.serialization(
                RespServer.registerTypes(SerializationConfig.builder()).build()));
        RespCluster cluster = new RespCluster(grid, serverCustomizer);
        try {
            for (Grid member : grid.members()) {
                cluster.servers.add(cluster.serve(member));
            }
            grid.awaitSettled();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private RespServer serve(Grid member) {
        return RespServer.start(member, serverCustomizer.apply(RespServerConfig.builder().port(0)).build());
    }

    /** Adds a member with its own server; returns the server. */
    public RespServer addMember() {
        RespServer server = serve(grid.addMember());
        servers.add(server);
        grid.awaitSettled();
        return server;
    }

    /** Member {@code i}'s RESP port. */
    public int port(int i) {
        return servers.get(i).port();
    }

    /** Member {@code i}'s server. */
    public RespServer server(int i) {
        return servers.get(i);
    }

    /** The underlying in-JVM grid cluster. */
    public GridCluster grid() {
        return grid;
    }

    /** How many members. */
    public int size() {
        return servers.size();
    }

    @Override
    public void close() {
        for (RespServer server : servers) {
            try {
                server.close();
            } catch (RuntimeException ignored) {
                // closing everything else matters more
            }
        }
        grid.close();
    }
}
