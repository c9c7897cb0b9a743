package io.tessera.redis.internal.command;

import java.util.HashMap;
import java.util.Map;

/**
 * Redis's own data about its commands that the rows of the {@link CommandTable} carry: the version that introduced
 * each one ({@code COMMAND DOCS}'s "since"), as Redis 7's command docs give it. One table of Redis's releases, not
 * code: the builder copies each command's version into its row.
 */
final class RedisReleases {
    private static final Map<String, String> SINCE = load();

    private RedisReleases() {
    }

    /** The Redis version that introduced {@code command}, or {@code null} for a command of Tessera's own. */
    static String since(String command) {
        return SINCE.get(command);
    }

    private static Map<String, String> load() {
        Map<String, String> since = new HashMap<>();
        String table = "1.0.0: get set del exists keys randomkey rename renamenx type dbsize expire ttl select move "
                + "flushdb flushall incr decr incrby decrby mget setnx getset lpush rpush llen lrange ltrim lindex "
                + "lset lrem lpop rpop sadd srem smembers sismember scard spop sinter sinterstore sunion "
                + "sunionstore sdiff sdiffstore smove srandmember save bgsave lastsave shutdown info monitor "
                + "slaveof auth ping echo quit sort;"
                + "1.2.0: zadd zrem zrange zrevrange zrangebyscore zcard zscore zincrby zremrangebyscore rpoplpush "
                + "mset msetnx expireat bgrewriteaof;"
                + "2.0.0: append substr hset hsetnx hget hmset hmget hincrby hexists hdel hlen hkeys hvals hgetall "
                + "setex zcount zrank zrevrank zremrangebyrank zunionstore zinterstore blpop brpop subscribe "
                + "unsubscribe psubscribe punsubscribe publish multi exec discard config;"
                + "2.2.0: watch unwatch persist setrange getrange strlen lpushx rpushx linsert brpoplpush "
                + "zrevrangebyscore setbit getbit;"
                + "2.2.12: slowlog;"
                + "2.4.0: client;"
                + "2.6.0: pttl pexpire pexpireat psetex incrbyfloat hincrbyfloat bitcount bitop dump restore "
                + "migrate eval evalsha script time object;"
                + "2.8.0: scan sscan hscan zscan pubsub command;"
                + "2.8.7: bitpos;"
                + "2.8.9: zrangebylex zlexcount zremrangebylex zrevrangebylex pfadd pfcount pfmerge;"
                + "3.0.0: cluster readonly readwrite wait;"
                + "3.2.0: hstrlen geoadd geodist geohash geopos georadius georadiusbymember bitfield;"
                + "3.2.1: touch;"
                + "4.0.0: unlink swapdb memory;"
                + "5.0.0: zpopmin zpopmax bzpopmin bzpopmax xadd xrange xrevrange xlen xread xgroup xreadgroup "
                + "xack xpending xclaim xinfo xdel xtrim;"
                + "6.0.0: hello acl;"
                + "6.0.6: lpos;"
                + "6.2.0: getdel getex copy lmove blmove smismember zmscore zrandmember zrangestore zunion zinter "
                + "zdiff zdiffstore hrandfield reset xautoclaim geosearch geosearchstore;"
                + "7.0.0: expiretime pexpiretime lmpop blmpop zmpop bzmpop sintercard zintercard lcs spublish "
                + "ssubscribe sunsubscribe function fcall fcall_ro eval_ro evalsha_ro sort_ro bitfield_ro";
        for (String row : table.split(";")) {
            String[] parts = row.split(":");
            for (String name : parts[1].trim().split("\\s+")) {
                since.put(name, parts[0].trim());
            }
        }
        return Map.copyOf(since);
    }
}
