package dev.threadlab.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts threadlab runs in Redis, each one step that no other client can interleave with. Called by their
 * SHA-1 digest ({@code EVALSHA}) and loaded again when Redis no longer knows them (after a restart). Immutable.
 */
enum Script {

    /**
     * Writes a job. KEYS: job, jobs:{instance}, jobs, unfinished:{instance}, watch:{id}, finished:{instance}. ARGV: id,
     * JSON, terminal (1/0), score (submission, epoch ms), job TTL ms, index TTL ms, finished jobs kept per instance,
     * job key prefix, lost marker, channel prefix, index cut-off score, now (epoch ms). A job another instance
     * declared lost is never overwritten: then the stored JSON is returned. A terminal write tells every watcher and
     * enforces the count bound on the instance's finished jobs, oldest finished first (as the instance's own memory
     * does); otherwise the job is marked unfinished. Returns 1 when written.
     */
    WRITE_JOB(Lua.TELL_WATCHERS + """
            local current = redis.call('GET', KEYS[1])
            if current and string.find(current, ARGV[9], 1, true) then
              return current
            end
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[5])
            redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
            redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
            redis.call('PEXPIRE', KEYS[2], ARGV[6])
            redis.call('PEXPIRE', KEYS[3], ARGV[6])
            if ARGV[3] == '1' then
              redis.call('SREM', KEYS[4], ARGV[1])
              tell_watchers(KEYS[5], ARGV[10], ARGV[1], ARGV[2])
              redis.call('ZADD', KEYS[6], ARGV[12], ARGV[1])
              redis.call('PEXPIRE', KEYS[6], ARGV[6])
              local over = redis.call('ZCARD', KEYS[6]) - tonumber(ARGV[7])
              if over > 0 then
                for _, old in ipairs(redis.call('ZRANGE', KEYS[6], 0, over - 1)) do
                  redis.call('DEL', ARGV[8] .. old)
                  redis.call('ZREM', KEYS[2], old)
                  redis.call('ZREM', KEYS[3], old)
                  redis.call('ZREM', KEYS[6], old)
                end
              end
              redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[11])
              redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[11])
              redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', ARGV[11])
            else
              redis.call('SADD', KEYS[4], ARGV[1])
              redis.call('PEXPIRE', KEYS[4], ARGV[6])
            end
            return 1
            """),

    /**
     * Records an unfinished job of a lost instance as ended, if it is still exactly as read: so of all the instances
     * that try, one records it. KEYS: job, unfinished:{instance}, watch:{id}, lost:{instance}. ARGV: id, JSON read,
     * JSON to write, TTL ms, channel prefix. Returns 1 if this call recorded it.
     */
    RECORD_LOST(Lua.TELL_WATCHERS + """
            if redis.call('GET', KEYS[1]) ~= ARGV[2] then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
            redis.call('SREM', KEYS[2], ARGV[1])
            redis.call('INCR', KEYS[4])
            redis.call('PEXPIRE', KEYS[4], ARGV[4])
            tell_watchers(KEYS[3], ARGV[5], ARGV[1], ARGV[3])
            return 1
            """),

    /**
     * An instance's heartbeat, and only while the id is this process's: its place among the instances and its figures.
     * KEYS: instance:{id}, instances, counts:{id}. ARGV: this process's token, TTL ms, now (epoch ms), the score below
     * which instances are forgotten, the figures JSON, their TTL ms, the instance id. Returns 1 when renewed, 2 when
     * the key was absent and is now this process's (a join, or a rejoin after Redis lost it), 0 when another live
     * process holds it (and nothing is written).
     */
    HEARTBEAT("""
            local current = redis.call('GET', KEYS[1])
            local result = 0
            if current == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              result = 1
            elseif not current then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              result = 2
            else
              return 0
            end
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[7])
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
            redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[6])
            return result
            """),

    /**
     * Merges a pool change into the cluster's settings of that pool, so that concurrent changes of different fields all
     * stay. KEYS: pool-settings. ARGV: pool name, the change (a JSON object). Returns the merged settings.
     */
    MERGE_POOL_SETTINGS("""
            local current = redis.call('HGET', KEYS[1], ARGV[1])
            local merged = {}
            if current then
              local ok, decoded = pcall(cjson.decode, current)
              if ok and type(decoded) == 'table' then
                merged = decoded
              end
            end
            for field, value in pairs(cjson.decode(ARGV[2])) do
              merged[field] = value
            end
            local text = cjson.encode(merged)
            redis.call('HSET', KEYS[1], ARGV[1], text)
            return text
            """),

    /** Leaves: deletes the heartbeat only if it is still this process's. KEYS: instance:{id}. ARGV: token. */
    LEAVE("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """);

    private final String source;
    private final String sha;

    /** Lua shared by the scripts that end a job. */
    private static final class Lua {
        /** The end message to every instance waiting for the job (the format {@code Cluster} reads), then no watchers. */
        static final String TELL_WATCHERS = """
                local function tell_watchers(watch_key, channel_prefix, id, job)
                  local watchers = redis.call('SMEMBERS', watch_key)
                  if #watchers > 0 then
                    local message = '{"type":"end","id":"' .. id .. '","job":' .. job .. '}'
                    for _, watcher in ipairs(watchers) do
                      redis.call('PUBLISH', channel_prefix .. watcher, message)
                    end
                    redis.call('DEL', watch_key)
                  end
                end
                """;
    }

    Script(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    String source() {
        return source;
    }

    String sha() {
        return sha;
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
