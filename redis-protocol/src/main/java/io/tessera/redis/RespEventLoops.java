package io.tessera.redis;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The event loops a {@link RespServer}'s connections run on (epoll where Netty's native library loads, NIO
 * elsewhere), which the grid's partitions may share.
 *
 * <p>Shared, a command whose key's partition runs on the loop of its connection is decoded, executed and answered
 * on that one thread, with no hand-off; a command for another loop's partition costs one hop there and one back, as
 * with separate threads. Build the grid with {@code Grid.builder().partitionThreads(loops.executors())} and close in
 * reverse order of creation (server, grid, loops), as try-with-resources does:
 *
 * <pre>{@code
 * try (RespEventLoops loops = RespEventLoops.create(0);
 *      Grid grid = RespServer.registerTypes(...)...partitionThreads(loops.executors()).start();
 *      RespServer server = RespServer.start(grid, config, loops)) { ... }
 * }</pre>
 */
public final class RespEventLoops implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean epoll;

    private RespEventLoops(EventLoopGroup group, boolean epoll) {
        this.group = group;
        this.epoll = epoll;
    }

    /**
     * Starts a group of {@code threads} event loops (0: one per core, at least two), on epoll where available.
     *
     * @param threads the number of loops, or 0 (or less) for one per core, at least two
     * @return the started loops, whose threads are daemons
     */
    public static RespEventLoops create(int threads) {
        boolean epoll = Epoll.isAvailable();
        int count = threads > 0 ? threads : Math.max(2, Runtime.getRuntime().availableProcessors());
        return new RespEventLoops(new MultiThreadIoEventLoopGroup(count, new DefaultThreadFactory("tessera-resp-io",
                true), ioHandlers(epoll)), epoll);
    }

    /**
     * Returns the loops as executors, one each, for {@code GridBuilder.partitionThreads}.
     *
     * @return a new list with one executor per loop, in the group's order
     */
    public List<Executor> executors() {
        List<Executor> executors = new ArrayList<>();
        for (EventExecutor loop : group) {
            executors.add(loop);
        }
        return executors;
    }

    /**
     * Tells whether the loops use Linux's epoll (else Java's NIO).
     *
     * @return {@code true} for epoll, {@code false} for NIO
     */
    public boolean epoll() {
        return epoll;
    }

    EventLoopGroup group() {
        return group;
    }

    Class<? extends ServerChannel> serverChannel() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static IoHandlerFactory ioHandlers(boolean epoll) {
        return epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** Stops the loops, letting queued tasks run for up to two seconds. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
