package io.tessera.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * How {@link TesseraSessionFilter} keeps sessions: an immutable value made with {@link #builder()} or read from a
 * filter's init-params with {@link #fromInitParameters}.
 *
 * <p>Defaults: map {@code tessera-sessions:<context path>}, cookie {@value #DEFAULT_COOKIE_NAME} on the context
 * path, HttpOnly, not Secure, {@code SameSite=Lax}, not Partitioned, no Max-Age (a browser-session cookie);
 * {@value #DEFAULT_MAX_INACTIVE_INTERVAL} s max inactive interval; non-sticky; {@link SaveMode#ON_SET_ATTRIBUTE};
 * {@value #DEFAULT_MAX_SESSION_SIZE} bytes per session; {@value #DEFAULT_CACHE_SIZE} cached sessions per node;
 * Java serialization allowed for {@code java.*} value classes only (add yours with {@link Builder#allowClasses}).
 */
public final class SessionConfig {
    public static final String DEFAULT_COOKIE_NAME = "JSESSIONID";
    public static final int DEFAULT_MAX_INACTIVE_INTERVAL = 1800;
    public static final long DEFAULT_MAX_SESSION_SIZE = 1 << 20;
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    public static final String DEFAULT_SAME_SITE = "Lax";
    /**
     * The part of the deserialization filter that always applies: limits, then a deny-list of JDK packages known from
     * gadget chains, then the JDK's value classes. User patterns come after it, and {@code !*} ends it.
     */
    public static final String BASE_SERIAL_FILTER = "maxdepth=100;maxrefs=1000000;maxarray=10000000;"
            + "!java.rmi.**;!javax.management.**;!javax.naming.**;!java.lang.invoke.**;!java.lang.reflect.**;"
            + "!javax.script.**;java.**";

    private final String mapName;
    private final String cookieName;
    private final String cookiePath;
    private final String cookieDomain;
    private final boolean cookieHttpOnly;
    private final boolean cookieSecure;
    private final String cookieSameSite;
    private final boolean cookiePartitioned;
    private final int cookieMaxAge;
    private final int maxInactiveInterval;
    private final boolean sticky;
    private final SaveMode saveMode;
    private final long maxSessionSize;
    private final int cacheSize;
    private final List<String> allowedClasses;
    private final Map<Class<?>, Integer> kryoTypes;
    private final List<EventListener> listeners;

    private SessionConfig(Builder b) {
        mapName = b.mapName;
        cookieName = b.cookieName;
        cookiePath = b.cookiePath;
        cookieDomain = b.cookieDomain;
        cookieHttpOnly = b.cookieHttpOnly;
        cookieSecure = b.cookieSecure;
        cookieSameSite = b.cookieSameSite;
        cookiePartitioned = b.cookiePartitioned;
        cookieMaxAge = b.cookieMaxAge;
        maxInactiveInterval = b.maxInactiveInterval;
        sticky = b.sticky;
        saveMode = b.saveMode;
        maxSessionSize = b.maxSessionSize;
        cacheSize = b.cacheSize;
        allowedClasses = List.copyOf(b.allowedClasses);
        kryoTypes = Collections.unmodifiableMap(new LinkedHashMap<>(b.kryoTypes));
        listeners = List.copyOf(b.listeners);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a config from init-params (names in {@link TesseraSessionFilter}); absent ones keep their defaults.
     *
     * @throws IllegalArgumentException naming the parameter if a value is malformed
     */
    public static SessionConfig fromInitParameters(Function<String, String> params, ClassLoader loader) {
        Builder b = builder();
        String v;
        if ((v = param(params, "map-name")) != null) {
            b.mapName(v);
        }
        if ((v = param(params, "cookie-name")) != null) {
            b.cookieName(v);
        }
        if ((v = param(params, "cookie-path")) != null) {
            b.cookiePath(v);
        }
        if ((v = param(params, "cookie-domain")) != null) {
            b.cookieDomain(v);
        }
        if ((v = param(params, "cookie-http-only")) != null) {
            b.cookieHttpOnly(bool("cookie-http-only", v));
        }
        if ((v = param(params, "cookie-secure")) != null) {
            b.cookieSecure(bool("cookie-secure", v));
        }
        if ((v = params.apply("cookie-same-site")) != null) {
            b.cookieSameSite(v.isBlank() ? null : v.trim());
        }
        if ((v = param(params, "cookie-partitioned")) != null) {
            b.cookiePartitioned(bool("cookie-partitioned", v));
        }
        if ((v = param(params, "cookie-max-age")) != null) {
            b.cookieMaxAge(integer("cookie-max-age", v));
        }
        if ((v = param(params, "max-inactive-interval")) != null) {
            b.maxInactiveInterval(integer("max-inactive-interval", v));
        }
        if ((v = param(params, "sticky")) != null) {
            b.sticky(bool("sticky", v));
        }
        if ((v = param(params, "save-mode")) != null) {
            try {
                b.saveMode(SaveMode.valueOf(v.toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("save-mode: \"" + v + "\" (expected ON_SET_ATTRIBUTE or "
                        + "ON_GET_ATTRIBUTE)");
            }
        }
        if ((v = param(params, "max-session-size")) != null) {
            try {
                b.maxSessionSize(Long.parseLong(v));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("max-session-size: \"" + v + "\" (expected a number of bytes)");
            }
        }
        if ((v = param(params, "allow-classes")) != null) {
            for (String pattern : v.split("[,;\\s]+")) {
                if (!pattern.isEmpty()) {
                    b.allowClasses(pattern);
                }
            }
        }
        if ((v = param(params, "kryo-types")) != null) {
            for (String item : v.split("[,\\s]+")) {
                if (item.isEmpty()) {
                    continue;
                }
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("kryo-types: \"" + item + "\" (expected class=id)");
                }
                b.kryoType(load("kryo-types", item.substring(0, eq), loader),
                        integer("kryo-types", item.substring(eq + 1)));
            }
        }
        if ((v = param(params, "listeners")) != null) {
            for (String name : v.split("[,\\s]+")) {
                if (name.isEmpty()) {
                    continue;
                }
                try {
                    Object listener = load("listeners", name, loader).getDeclaredConstructor().newInstance();
                    if (!(listener instanceof EventListener l)) {
                        throw new IllegalArgumentException("listeners: " + name + " (expected a session listener)");
                    }
                    b.listener(l);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalArgumentException("listeners: " + name + " (expected a public class with a "
                            + "public no-argument constructor): " + e, e);
                }
            }
        }
        return b.build();
    }

    private static String param(Function<String, String> params, String name) {
        String v = params.apply(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static boolean bool(String name, String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(name + ": \"" + v + "\" (expected true or false)");
    }

    private static int integer(String name, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": \"" + v + "\" (expected an integer)");
        }
    }

    private static Class<?> load(String param, String name, ClassLoader loader) {
        try {
            return Class.forName(name.trim(), true, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(param + ": " + name + " (class not found)", e);
        }
    }

    /** The grid map's name, or {@code null} for {@code tessera-sessions:<context path>}. */
    public String mapName() {
        return mapName;
    }

    /** The map name this config gives the context at {@code contextPath}. */
    public String mapNameFor(String contextPath) {
        return mapName != null ? mapName : "tessera-sessions:" + (contextPath.isEmpty() ? "/" : contextPath);
    }

    public String cookieName() {
        return cookieName;
    }

    /** The cookie path, or {@code null} for the context path ({@code /} for the root context). */
    public String cookiePath() {
        return cookiePath;
    }

    /** The cookie domain, or {@code null} for none (host-only cookie). */
    public String cookieDomain() {
        return cookieDomain;
    }

    public boolean cookieHttpOnly() {
        return cookieHttpOnly;
    }

    public boolean cookieSecure() {
        return cookieSecure;
    }

    /** The SameSite attribute, or {@code null} to send none. */
    public String cookieSameSite() {
        return cookieSameSite;
    }

    public boolean cookiePartitioned() {
        return cookiePartitioned;
    }

    /** The cookie's Max-Age in seconds; negative for none (the cookie lasts the browser session). */
    public int cookieMaxAge() {
        return cookieMaxAge;
    }

    /** The max inactive interval of new sessions, in seconds; zero or negative: they never expire. */
    public int maxInactiveInterval() {
        return maxInactiveInterval;
    }

    /**
     * Whether a load balancer sends a session's requests to one node: the node then trusts its cached copy without
     * asking the grid at the start of each request, and writes the access time at the end. Non-sticky (the
     * default) checks the cached copy's version with one small grid call per request.
     */
    public boolean sticky() {
        return sticky;
    }

    public SaveMode saveMode() {
        return saveMode;
    }

    /** The largest session, in bytes of attribute names and serialized values. */
    public long maxSessionSize() {
        return maxSessionSize;
    }

    /** How many sessions each node caches. */
    public int cacheSize() {
        return cacheSize;
    }

    /** The user's deserialization filter patterns (ObjectInputFilter syntax), in order. */
    public List<String> allowedClasses() {
        return allowedClasses;
    }

    /** The whole deserialization filter: {@link #BASE_SERIAL_FILTER}, the user's patterns, then {@code !*}. */
    public String serialFilter() {
        StringBuilder sb = new StringBuilder(BASE_SERIAL_FILTER);
        allowedClasses.forEach(p -> sb.append(';').append(p));
        return sb.append(";!*").toString();
    }

    /** Attribute classes written with Kryo, with their Kryo class ids. */
    public Map<Class<?>, Integer> kryoTypes() {
        return kryoTypes;
    }

    /** Listeners given to the builder. */
    public List<EventListener> listeners() {
        return listeners;
    }

    @Override
    public String toString() {
        return "SessionConfig{mapName=" + mapName + ", cookieName=" + cookieName + ", cookiePath=" + cookiePath
                + ", cookieDomain=" + cookieDomain + ", httpOnly=" + cookieHttpOnly + ", secure=" + cookieSecure
                + ", sameSite=" + cookieSameSite + ", partitioned=" + cookiePartitioned + ", maxAge=" + cookieMaxAge
                + ", maxInactiveInterval=" + maxInactiveInterval + ", sticky=" + sticky + ", saveMode=" + saveMode
                + ", maxSessionSize=" + maxSessionSize + ", cacheSize=" + cacheSize + ", allowedClasses="
                + allowedClasses + ", kryoTypes=" + kryoTypes.size() + ", listeners=" + listeners.size() + "}";
    }

    /** Builds a {@link SessionConfig}; every setter validates at once. Not thread-safe. */
    public static final class Builder {
        private String mapName;
        private String cookieName = DEFAULT_COOKIE_NAME;
        private String cookiePath;
        private String cookieDomain;
        private boolean cookieHttpOnly = true;
        private boolean cookieSecure;
        private String cookieSameSite = DEFAULT_SAME_SITE;
        private boolean cookiePartitioned;
        private int cookieMaxAge = -1;
        private int maxInactiveInterval = DEFAULT_MAX_INACTIVE_INTERVAL;
        private boolean sticky;
        private SaveMode saveMode = SaveMode.ON_SET_ATTRIBUTE;
        private long maxSessionSize = DEFAULT_MAX_SESSION_SIZE;
        private int cacheSize = DEFAULT_CACHE_SIZE;
        private final List<String> allowedClasses = new ArrayList<>();
        private final Map<Class<?>, Integer> kryoTypes = new LinkedHashMap<>();
        private final List<EventListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** Sets the grid map's name; use the same on every node of one web application. */
        public Builder mapName(String mapName) {
            this.mapName = nonBlank("mapName", mapName);
            return this;
        }

        /** Sets the cookie name (default {@value #DEFAULT_COOKIE_NAME}). */
        public Builder cookieName(String cookieName) {
            nonBlank("cookieName", cookieName);
            if (!cookieName.chars().allMatch(c -> c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("cookieName: \"" + cookieName + "\" (expected an RFC 6265 token)");
            }
            this.cookieName = cookieName;
            return this;
        }

        /** Sets the cookie path (default: the context path). */
        public Builder cookiePath(String cookiePath) {
            if (cookiePath == null || !cookiePath.startsWith("/") || cookiePath.contains(";")) {
                throw new IllegalArgumentException("cookiePath: \"" + cookiePath + "\" (expected a path starting "
                        + "with / and without ;)");
            }
            this.cookiePath = cookiePath;
            return this;
        }

        /** Sets the cookie domain (default: none). */
        public Builder cookieDomain(String cookieDomain) {
            nonBlank("cookieDomain", cookieDomain);
            if (cookieDomain.contains(";") || cookieDomain.contains(" ")) {
                throw new IllegalArgumentException("cookieDomain: \"" + cookieDomain + "\" (expected a domain)");
            }
            this.cookieDomain = cookieDomain;
            return this;
        }

        public Builder cookieHttpOnly(boolean httpOnly) {
            this.cookieHttpOnly = httpOnly;
            return this;
        }

        public Builder cookieSecure(boolean secure) {
            this.cookieSecure = secure;
            return this;
        }

        /** Sets SameSite: {@code Strict}, {@code Lax} (default), {@code None}, or {@code null} for no attribute. */
        public Builder cookieSameSite(String sameSite) {
            if (sameSite != null && !(sameSite.equalsIgnoreCase("Strict") || sameSite.equalsIgnoreCase("Lax")
                    || sameSite.equalsIgnoreCase("None"))) {
                throw new IllegalArgumentException("cookieSameSite: \"" + sameSite + "\" (expected Strict, Lax, "
                        + "None or null)");
            }
            this.cookieSameSite = sameSite == null ? null
                    : sameSite.substring(0, 1).toUpperCase(Locale.ROOT) + sameSite.substring(1).toLowerCase(Locale.ROOT);
            return this;
        }

        /** Adds the valueless {@code Partitioned} attribute (CHIPS); browsers require Secure with it. */
        public Builder cookiePartitioned(boolean partitioned) {
            this.cookiePartitioned = partitioned;
            return this;
        }

        /** Sets Max-Age in seconds; negative (default -1) for none. */
        public Builder cookieMaxAge(int maxAge) {
            this.cookieMaxAge = maxAge;
            return this;
        }

        /** Sets the max inactive interval of new sessions in seconds; zero or negative: never expire. */
        public Builder maxInactiveInterval(int seconds) {
            this.maxInactiveInterval = seconds;
            return this;
        }

        public Builder sticky(boolean sticky) {
            this.sticky = sticky;
            return this;
        }

        public Builder saveMode(SaveMode saveMode) {
            this.saveMode = Objects.requireNonNull(saveMode, "saveMode");
            return this;
        }

        /** Sets the largest session in bytes (names plus serialized values). */
        public Builder maxSessionSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxSessionSize: " + bytes + " (expected >= 1)");
            }
            this.maxSessionSize = bytes;
            return this;
        }

        /** Sets how many sessions each node caches. */
        public Builder cacheSize(int sessions) {
            if (sessions < 0) {
                throw new IllegalArgumentException("cacheSize: " + sessions + " (expected >= 0)");
            }
            this.cacheSize = sessions;
            return this;
        }

        /**
         * Allows classes for Java serialization, in {@link java.io.ObjectInputFilter} pattern syntax:
         * {@code com.example.Cart}, {@code com.example.*} (one package), {@code com.example.**} (and below),
         * {@code !com.example.Bad}.
         */
        public Builder allowClasses(String... patterns) {
            for (String p : patterns) {
                nonBlank("allowClasses", p);
                if (p.contains(";")) {
                    throw new IllegalArgumentException("allowClasses: \"" + p + "\" (expected one pattern per "
                            + "argument)");
                }
                allowedClasses.add(p.trim());
            }
            return this;
        }

        /** Writes attribute values of {@code type} with Kryo under class id {@code id} (same on every node). */
        public Builder kryoType(Class<?> type, int id) {
            Objects.requireNonNull(type, "type");
            if (id < 100) {
                throw new IllegalArgumentException("kryoType id: " + id + " (expected >= 100; lower ids are Kryo's)");
            }
            if (kryoTypes.containsValue(id)) {
                throw new IllegalArgumentException("kryoType id: " + id + " (expected an unused id)");
            }
            if (kryoTypes.putIfAbsent(type, id) != null) {
                throw new IllegalArgumentException("kryoType: " + type.getName() + " (already registered)");
            }
            return this;
        }

        /** Adds an HttpSessionListener, HttpSessionAttributeListener or HttpSessionIdListener. */
        public Builder listener(EventListener listener) {
            Objects.requireNonNull(listener, "listener");
            SessionListeners.check(listener);
            listeners.add(listener);
            return this;
        }

        public SessionConfig build() {
            if (cookiePartitioned && !cookieSecure) {
                throw new IllegalArgumentException("cookiePartitioned: true (expected cookieSecure(true) as well; "
                        + "browsers ignore a Partitioned cookie that is not Secure)");
            }
            if ("None".equals(cookieSameSite) && !cookieSecure) {
                throw new IllegalArgumentException("cookieSameSite: None (expected cookieSecure(true) as well; "
                        + "browsers refuse SameSite=None without Secure)");
            }
            return new SessionConfig(this);
        }

        private static String nonBlank(String name, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + ": \"" + value + "\" (expected a non-blank value)");
            }
            return value;
        }
    }
}
