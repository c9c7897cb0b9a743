package io.tessera.redis;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tessera.grid.Grid;
import io.tessera.grid.SerializationConfig;
import io.tessera.redis.internal.command.ClientSession;
import io.tessera.redis.internal.command.CommandDispatcher;
import io.tessera.redis.internal.command.CommandTable;
import io.tessera.redis.internal.command.HashOperations;
import io.tessera.redis.internal.command.KeyCommandProcessor;
import io.tessera.redis.internal.command.ListOperations;
import io.tessera.redis.internal.command.ServerContext;
import io.tessera.redis.internal.command.SetOperations;
import io.tessera.redis.internal.command.SlotCommandProcessor;
import io.tessera.redis.internal.command.SortedSetOperations;
import io.tessera.redis.internal.command.TransactionProcessor;
import io.tessera.redis.internal.protocol.RespRequestDecoder;
import io.tessera.redis.internal.server.RespConnectionHandler;
import io.tessera.redis.internal.server.RespMeters;
import io.tessera.redis.internal.server.TlsContexts;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis-compatible (RESP2/RESP3) server in front of a {@link Grid}: every member can run one, and any of them
 * serves any key, forwarding work to the key's primary inside the grid. Databases are grid maps named
 * {@code redis-db-<n>}.
 *
 * <pre>{@code
 * Grid grid = Grid.builder().clusterName("cache")
 *         .serialization(RespServer.registerTypes(SerializationConfig.builder()).build())
 *         .start();
 * try (RespServer server = RespServer.start(grid, RespServerConfig.builder().port(6379).build())) { ... }
 * }</pre>
 *
 * <p>The server's meters ({@code tessera.redis.connections}, {@code tessera.redis.commands} by command,
 * {@code tessera.redis.errors} by prefix, {@code tessera.redis.blocked.clients}) go into the grid's
 * {@link Grid#meterRegistry()}, next to the grid's own; they read counts the server keeps anyway.
 *
 * <p>The grid must be built with {@link #registerTypes} (the processors that carry commands to primaries travel
 * with Kryo, which only accepts registered classes), and every member of the cluster must register them too.
 */
public final class RespServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RespServer.class);
    /** Class id of the processor that carries commands; fixed so members agree whatever else users register. */
    public static final int KEY_COMMAND_PROCESSOR_TYPE_ID = 0x7E55_0001;
    /** Class id of the processor that carries same-slot multi-key commands. */
    public static final int SLOT_COMMAND_PROCESSOR_TYPE_ID = 0x7E55_0002;
    /** The Kryo registration id of the processor that runs a transaction's commands (MULTI/EXEC). */
    public static final int TRANSACTION_PROCESSOR_TYPE_ID = 0x7E55_0003;
    /** The Kryo registration id of the live list push the stream ships to backups. */
    public static final int LIST_PUSH_TYPE_ID = 0x7E55_0004;
    /** The Kryo registration id of the live list pop the stream ships to backups. */
    public static final int LIST_POP_TYPE_ID = 0x7E55_0005;
    /** The Kryo registration id of the live hash put (HSET, HSETNX, HINCRBYFLOAT) the stream ships to backups. */
    public static final int HASH_PUT_TYPE_ID = 0x7E55_0006;
    /** The Kryo registration id of the live hash delete (HDEL) the stream ships to backups. */
    public static final int HASH_DELETE_TYPE_ID = 0x7E55_0007;
    /** The Kryo registration id of the live hash increment (HINCRBY) the stream ships to backups. */
    public static final int HASH_INCRBY_TYPE_ID = 0x7E55_0008;
    /** The Kryo registration id of the live set add (SADD, SMOVE) the stream ships to backups. */
    public static final int SET_ADD_TYPE_ID = 0x7E55_0009;
    /** The Kryo registration id of the live set remove (SREM, SPOP, SMOVE) the stream ships to backups. */
    public static final int SET_REMOVE_TYPE_ID = 0x7E55_000A;
    /** The Kryo registration id of the live sorted-set ZADD/ZINCRBY the stream ships to backups. */
    public static final int SORTED_SET_ADD_TYPE_ID = 0x7E55_000B;
    /** The Kryo registration id of the live sorted-set ZREM the stream ships to backups. */
    public static final int SORTED_SET_REMOVE_TYPE_ID = 0x7E55_000C;
    /** The Kryo registration id of the live sorted-set removal by ranks (ZREMRANGEBY*, ZPOP*, ZMPOP). */
    public static final int SORTED_SET_REMOVE_RANGE_TYPE_ID = 0x7E55_000D;
    /** The Kryo registration id of the live LSET the stream ships to backups. */
    public static final int LIST_SET_TYPE_ID = 0x7E55_000E;
    /** The Kryo registration id of the live LINSERT the stream ships to backups. */
    public static final int LIST_INSERT_TYPE_ID = 0x7E55_000F;
    /** The Kryo registration id of the live LREM (the indexes removed) the stream ships to backups. */
    public static final int LIST_REMOVE_AT_TYPE_ID = 0x7E55_0010;
    /** The Kryo registration id of the live LTRIM the stream ships to backups. */
    public static final int LIST_TRIM_TYPE_ID = 0x7E55_0011;

    private final ServerContext context;
    private final EventLoopGroup bossGroup;
    /** The loops this server made for itself and closes, or null when they are shared. */
    private final RespEventLoops ownLoops;
    /** The plain port's listening channel, or null with {@code port} off. */
    private final Channel plainChannel;
    /** The TLS port's listening channel, or null without a TLS port. */
    private final Channel tlsChannel;
    /** The TLS library serving {@link #tlsChannel}'s connections, or null without a TLS port. */
    private final RespServerConfig.TlsProvider tlsProvider;
    private final RespMeters meters;

    private RespServer(ServerContext context, EventLoopGroup bossGroup, RespEventLoops ownLoops,
                       Channel plainChannel, Channel tlsChannel, RespServerConfig.TlsProvider tlsProvider,
                       RespMeters meters) {
        this.context = context;
        this.bossGroup = bossGroup;
        this.ownLoops = ownLoops;
        this.plainChannel = plainChannel;
        this.tlsChannel = tlsChannel;
        this.tlsProvider = tlsProvider;
        this.meters = meters;
    }

    /**
     * Adds the classes the RESP server sends through the grid to {@code builder}, with the fixed ids of this class's
     * {@code *_TYPE_ID} constants (0x7E55_0001 to 0x7E55_0011); every member must be built with them.
     *
     * @param builder the grid's serialization config under construction
     * @return {@code builder}, for chaining
     */
    public static SerializationConfig.Builder registerTypes(SerializationConfig.Builder builder) {
        return builder.register(KeyCommandProcessor.class, KEY_COMMAND_PROCESSOR_TYPE_ID)
                .register(SlotCommandProcessor.class, SLOT_COMMAND_PROCESSOR_TYPE_ID)
                .register(TransactionProcessor.class, TRANSACTION_PROCESSOR_TYPE_ID)
                .register(ListOperations.Push.class, LIST_PUSH_TYPE_ID)
                .register(ListOperations.Pop.class, LIST_POP_TYPE_ID)
                .register(HashOperations.Put.class, HASH_PUT_TYPE_ID)
                .register(HashOperations.Delete.class, HASH_DELETE_TYPE_ID)
                .register(HashOperations.IncrBy.class, HASH_INCRBY_TYPE_ID)
                .register(SetOperations.Add.class, SET_ADD_TYPE_ID)
                .register(SetOperations.Remove.class, SET_REMOVE_TYPE_ID)
                .register(SortedSetOperations.Add.class, SORTED_SET_ADD_TYPE_ID)
                .register(SortedSetOperations.Remove.class, SORTED_SET_REMOVE_TYPE_ID)
                .register(SortedSetOperations.RemoveRange.class, SORTED_SET_REMOVE_RANGE_TYPE_ID)
                .register(ListOperations.Set.class, LIST_SET_TYPE_ID)
                .register(ListOperations.Insert.class, LIST_INSERT_TYPE_ID)
                .register(ListOperations.RemoveAt.class, LIST_REMOVE_AT_TYPE_ID)
                .register(ListOperations.Trim.class, LIST_TRIM_TYPE_ID);
    }

    /**
     * Binds and starts serving, on event loops of its own ({@link RespServerConfig#ioThreads()}), which
     * {@link #close()} stops.
     *
     * @param grid the started member whose maps the server serves, built with {@link #registerTypes}
     * @param config how the server listens and what it allows
     * @return the server, listening
     * @throws IllegalStateException naming the address if it cannot be bound
     * @throws IllegalArgumentException naming the setting and file if the TLS certificate, key or CA file cannot be
     *     used
     */
    public static RespServer start(Grid grid, RespServerConfig config) {
        return start(grid, config, RespEventLoops.create(config.ioThreads()), true);
    }

    /**
     * Binds and starts serving on {@code loops}, which the grid's partitions may share (see {@link RespEventLoops});
     * closing the server leaves them running.
     *
     * @param grid the started member whose maps the server serves, built with {@link #registerTypes}
     * @param config how the server listens and what it allows; its {@code ioThreads} is not used
     * @param loops the event loops the connections run on
     * @return the server, listening
     * @throws IllegalStateException naming the address if it cannot be bound
     * @throws IllegalArgumentException naming the setting and file if the TLS certificate, key or CA file cannot be
     *     used
     */
    public static RespServer start(Grid grid, RespServerConfig config, RespEventLoops loops) {
        return start(grid, config, loops, false);
    }

    private static RespServer start(Grid grid, RespServerConfig config, RespEventLoops loops, boolean ownsLoops) {
        // A bad certificate or key fails first, naming the file, before anything is opened that would need closing.
        SslContext tls;
        try {
            tls = config.tlsEnabled() ? TlsContexts.forServer(config) : null;
        } catch (IllegalArgumentException e) {
            if (ownsLoops) {
                loops.close();
            }
            throw e;
        }
        ServerContext context = new ServerContext(grid, config);
        CommandDispatcher dispatcher = new CommandDispatcher(context, CommandTable.standard());
        RespMeters meters = RespMeters.register(grid.meterRegistry(), context);
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tessera-resp-accept", true),
                RespEventLoops.ioHandlers(loops.epoll()));
        Channel plain = null;
        Channel secure = null;
        try {
            if (config.port() != RespServerConfig.PORT_OFF) {
                plain = bind(bootstrap(boss, loops, config, context, dispatcher, null), config, config.port(),
                        "--port");
            }
            if (tls != null) {
                secure = bind(bootstrap(boss, loops, config, context, dispatcher, tls), config, config.tlsPort(),
                        "--tls-port");
            }
        } catch (RuntimeException e) {
            if (plain != null) {
                plain.close().syncUninterruptibly();
            }
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            meters.close();
            if (ownsLoops) {
                loops.close();
            }
            throw e;
        }
        int port = plain == null ? RespServerConfig.PORT_OFF : ((InetSocketAddress) plain.localAddress()).getPort();
        int tlsPort = secure == null ? RespServerConfig.PORT_OFF
                : ((InetSocketAddress) secure.localAddress()).getPort();
        // CLUSTER SLOTS/SHARDS/NODES name the port clients can use: the plain one, or the TLS one if it is alone.
        context.port(port != RespServerConfig.PORT_OFF ? port : tlsPort);
        RespServer server = new RespServer(context, boss, ownsLoops ? loops : null, plain, secure,
                tls == null ? null : TlsContexts.servedBy(tls), meters);
        try {
            context.publishEndpoint(); // CLUSTER SLOTS/SHARDS/NODES on every member name this port
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        log.info("RESP server listening on {} (member {} of cluster '{}', {} transport)", server.endpoints(),
                grid.localMember().name(), grid.clusterName(), loops.epoll() ? "epoll" : "NIO");
        if (tls != null) {
            log.info("TLS port {} served by {} (tls-provider {})", tlsPort, TlsContexts.describe(tls),
                    config.tlsProvider().name().toLowerCase(Locale.ROOT));
        }
        return server;
    }

    private static ServerBootstrap bootstrap(EventLoopGroup boss, RespEventLoops loops, RespServerConfig config,
                                             ServerContext context, CommandDispatcher dispatcher, SslContext tls) {
        return new ServerBootstrap()
                .group(boss, loops.group())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        if (tls != null) {
                            // A plaintext client or a failed handshake ends up in RespConnectionHandler's
                            // exceptionCaught: logged at debug, the connection closed, nobody else affected.
                            channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
                        }
                        channel.pipeline()
                                .addLast("resp-decoder", new RespRequestDecoder(config.protoMaxBulkLen(),
                                        config.clientQueryBufferLimit()))
                                .addLast("resp-handler", new RespConnectionHandler(context, dispatcher));
                    }
                });
    }

    private static Channel bind(ServerBootstrap bootstrap, RespServerConfig config, int port, String option) {
        try {
            return bootstrap.bind(new InetSocketAddress(config.bindAddress(), port)).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot listen on " + config.bindAddress() + ":" + port + ": "
                    + e.getMessage() + " (is another server using the port? choose another with " + option + ")", e);
        }
    }

    /**
     * Describes the addresses this server listens on, for logs and status pages.
     *
     * @return for example {@code 127.0.0.1:6379, TLS 127.0.0.1:6380}, or {@code TLS 127.0.0.1:6380} without a plain
     *     port
     */
    public String endpoints() {
        StringBuilder text = new StringBuilder();
        if (plainChannel != null) {
            text.append(context.config().bindAddress()).append(':').append(port());
        }
        if (tlsChannel != null) {
            text.append(text.isEmpty() ? "" : ", ").append("TLS ").append(context.config().bindAddress()).append(':')
                    .append(tlsPort());
        }
        return text.toString();
    }

    /**
     * Returns the plain port the server listens on (useful with port 0).
     *
     * @return the bound port, or {@link RespServerConfig#PORT_OFF} when only the TLS port is served
     */
    public int port() {
        return plainChannel == null ? RespServerConfig.PORT_OFF
                : ((InetSocketAddress) plainChannel.localAddress()).getPort();
    }

    /**
     * Returns the TLS port the server listens on (useful with a TLS port of 0).
     *
     * @return the bound TLS port, or {@link RespServerConfig#PORT_OFF} without one
     */
    public int tlsPort() {
        return tlsChannel == null ? RespServerConfig.PORT_OFF
                : ((InetSocketAddress) tlsChannel.localAddress()).getPort();
    }

    /**
     * Returns the TLS library that serves the TLS port: what {@link RespServerConfig#tlsProvider()} asked for, with
     * {@link RespServerConfig.TlsProvider#AUTO} resolved to the one this machine had.
     *
     * @return {@link RespServerConfig.TlsProvider#OPENSSL} or {@link RespServerConfig.TlsProvider#JDK}, or
     *     {@code null} without a TLS port
     */
    public RespServerConfig.TlsProvider tlsProvider() {
        return tlsProvider;
    }

    /**
     * Returns the address the server listens on: the plain port's, or the TLS port's when it is alone.
     *
     * @return the bound address and port
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) (plainChannel != null ? plainChannel : tlsChannel).localAddress();
    }

    /**
     * Tells whether the server listens on its ports: from {@link #start} until {@link #close}.
     *
     * @return whether every server socket is open
     */
    public boolean isListening() {
        return (plainChannel == null || plainChannel.isActive()) && (tlsChannel == null || tlsChannel.isActive());
    }

    /**
     * Returns the number of clients connected now (INFO's {@code connected_clients}).
     *
     * @return the number of client connections
     */
    public int connectedClients() {
        return context.clients().size();
    }

    /**
     * Returns the commands per second over the last 1.6 s (INFO's {@code instantaneous_ops_per_sec}).
     *
     * @return the recent command rate, in commands per second
     */
    public long opsPerSecond() {
        return context.commandStats().opsPerSecond();
    }

    /**
     * Returns the grid this server serves.
     *
     * @return the grid given to {@link #start}
     */
    public Grid grid() {
        return context.grid();
    }

    /** The server side of connected client {@code id} (CLIENT ID), or null; for this package's tests. */
    ClientSession client(long id) {
        return context.client(id);
    }

    /**
     * Sets what {@code SHUTDOWN} does. By default (no action) it is refused with
     * {@code ERR SHUTDOWN is disabled on an embedded server}; the standalone node sets an action that leaves the
     * grid gracefully and exits. The action runs on a server thread, after the calling connection was closed.
     *
     * @param action what to run on {@code SHUTDOWN}
     */
    public void onShutdownCommand(Runnable action) {
        context.shutdownAction(action);
    }

    /** Stops listening and closes every client connection; the grid stays up. */
    @Override
    public void close() {
        if (plainChannel != null) {
            plainChannel.close().syncUninterruptibly();
        }
        if (tlsChannel != null) {
            tlsChannel.close().syncUninterruptibly();
        }
        for (ClientSession client : context.clients()) {
            client.channel().close();
        }
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (ownLoops != null) {
            ownLoops.close();
        }
        context.close(); // withdraws the published endpoint
        meters.close();
    }
}
