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

// Over 700 lines because every setting is documented twice, on its getter and on its builder method (the public
// API's Javadoc); the class holds one concern, the filter's settings.
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
    /**
     * The default name of the session cookie, the servlet containers' own: {@value}.
     */
    public static final String DEFAULT_COOKIE_NAME = "JSESSIONID";
    /**
     * The default max inactive interval of new sessions, in seconds ({@value}, half an hour).
     */
    public static final int DEFAULT_MAX_INACTIVE_INTERVAL = 1800;
    /**
     * The default bound of one session, in bytes of attribute names and serialized values ({@value}, 1 MiB).
     */
    public static final long DEFAULT_MAX_SESSION_SIZE = 1 << 20;
    /**
     * The default number of sessions each node keeps in its local cache ({@value}).
     */
    public static final int DEFAULT_CACHE_SIZE = 10_000;
    /**
     * The default {@code SameSite} attribute of the session cookie: {@value}.
     */
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

    /**
     * Returns a builder that starts from the defaults.
     *
     * @return a new builder holding the defaults listed above
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a config from init-params (names in {@link TesseraSessionFilter}); absent ones keep their defaults.
     *
     * @param params looks up an init-param by name, returning {@code null} when it is absent (for example
     *     {@code filterConfig::getInitParameter})
     * @param loader the class loader that loads the classes named in {@code kryo-types} and {@code listeners}
     * @return the config
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

    /**
     * Returns the grid map's name, or {@code null} for the default, {@code tessera-sessions:<context path>}; see
     * {@link #mapNameFor}.
     *
     * @return the configured map name, or {@code null}
     */
    public String mapName() {
        return mapName;
    }

    /**
     * Returns the name of the grid map that holds the sessions of the context at {@code contextPath}.
     *
     * @param contextPath the servlet context path, empty for the root context
     * @return {@link #mapName()} if set, else {@code tessera-sessions:} followed by the context path ({@code /} for the
     *     root context)
     */
    public String mapNameFor(String contextPath) {
        return mapName != null ? mapName : "tessera-sessions:" + (contextPath.isEmpty() ? "/" : contextPath);
    }

    /**
     * Returns the name of the cookie that carries the session id.
     *
     * @return the cookie name, an RFC 6265 token (default {@value #DEFAULT_COOKIE_NAME})
     */
    public String cookieName() {
        return cookieName;
    }

    /**
     * Returns the cookie's {@code Path}, or {@code null} for the context path ({@code /} for the root context).
     *
     * @return the cookie path, or {@code null}
     */
    public String cookiePath() {
        return cookiePath;
    }

    /**
     * Returns the cookie's {@code Domain}, or {@code null} for none (a host-only cookie, the default).
     *
     * @return the cookie domain, or {@code null}
     */
    public String cookieDomain() {
        return cookieDomain;
    }

    /**
     * Tells whether the cookie carries {@code HttpOnly}, which hides it from scripts in the page.
     *
     * @return whether the cookie is {@code HttpOnly} (default {@code true})
     */
    public boolean cookieHttpOnly() {
        return cookieHttpOnly;
    }

    /**
     * Tells whether the cookie carries {@code Secure}, so that browsers send it over HTTPS only.
     *
     * @return whether the cookie is {@code Secure} (default {@code false})
     */
    public boolean cookieSecure() {
        return cookieSecure;
    }

    /**
     * Returns the cookie's {@code SameSite} attribute, or {@code null} to send none.
     *
     * @return {@code Strict}, {@code Lax} or {@code None}, or {@code null} (default {@value #DEFAULT_SAME_SITE})
     */
    public String cookieSameSite() {
        return cookieSameSite;
    }

    /**
     * Tells whether the cookie carries the valueless {@code Partitioned} attribute (CHIPS), which keeps a third-party
     * cookie per top-level site.
     *
     * @return whether the cookie is {@code Partitioned} (default {@code false})
     */
    public boolean cookiePartitioned() {
        return cookiePartitioned;
    }

    /**
     * Returns the cookie's {@code Max-Age} in seconds; negative for none (the cookie lasts the browser session).
     *
     * @return the Max-Age in seconds, or a negative number (default -1)
     */
    public int cookieMaxAge() {
        return cookieMaxAge;
    }

    /**
     * Returns the max inactive interval of new sessions, in seconds; zero or negative: they never expire.
     *
     * @return the interval in seconds (default {@value #DEFAULT_MAX_INACTIVE_INTERVAL})
     */
    public int maxInactiveInterval() {
        return maxInactiveInterval;
    }

    /**
     * Tells whether a load balancer sends a session's requests to one node: the node then trusts its cached copy
     * without asking the grid at the start of each request, and writes the access time at the end. Non-sticky (the
     * default) checks the cached copy's version with one small grid call per request.
     *
     * @return {@code true} for sticky load balancing (default {@code false})
     */
    public boolean sticky() {
        return sticky;
    }

    /**
     * Returns which attribute changes are written to the grid at the end of a request; see {@link SaveMode}.
     *
     * @return the save mode (default {@link SaveMode#ON_SET_ATTRIBUTE})
     */
    public SaveMode saveMode() {
        return saveMode;
    }

    /**
     * Returns the largest session, in bytes of attribute names and serialized values; a {@code setAttribute} that would
     * exceed it fails with {@link IllegalArgumentException}.
     *
     * @return the bound in bytes (default {@value #DEFAULT_MAX_SESSION_SIZE})
     */
    public long maxSessionSize() {
        return maxSessionSize;
    }

    /**
     * Returns how many sessions each node keeps in its local cache.
     *
     * @return the most sessions cached per node (default {@value #DEFAULT_CACHE_SIZE})
     */
    public int cacheSize() {
        return cacheSize;
    }

    /**
     * Returns the user's deserialization filter patterns ({@link java.io.ObjectInputFilter} syntax), in order.
     *
     * @return the patterns given to {@link Builder#allowClasses}, unmodifiable
     */
    public List<String> allowedClasses() {
        return allowedClasses;
    }

    /**
     * Returns the whole deserialization filter that attribute values read with Java serialization pass:
     * {@link #BASE_SERIAL_FILTER}, the user's patterns, then {@code !*}.
     *
     * @return the filter, in {@link java.io.ObjectInputFilter.Config#createFilter} syntax
     */
    public String serialFilter() {
        StringBuilder sb = new StringBuilder(BASE_SERIAL_FILTER);
        allowedClasses.forEach(p -> sb.append(';').append(p));
        return sb.append(";!*").toString();
    }

    /**
     * Returns the attribute classes written with Kryo instead of Java serialization, with their Kryo class ids.
     *
     * @return the classes and their ids in registration order, unmodifiable
     */
    public Map<Class<?>, Integer> kryoTypes() {
        return kryoTypes;
    }

    /**
     * Returns the session listeners given to the builder, which the filter calls before those registered in
     * {@link SessionListeners}.
     *
     * @return the listeners in the order they were added, unmodifiable
     */
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

        /**
         * Sets the grid map's name; use the same on every node of one web application.
         *
         * @param mapName the map name, not blank
         * @return this builder
         * @throws IllegalArgumentException if {@code mapName} is {@code null} or blank
         */
        public Builder mapName(String mapName) {
            this.mapName = nonBlank("mapName", mapName);
            return this;
        }

        /**
         * Sets the cookie name (default {@value #DEFAULT_COOKIE_NAME}).
         *
         * @param cookieName the cookie name, an RFC 6265 token
         * @return this builder
         * @throws IllegalArgumentException if {@code cookieName} is blank or not a token
         */
        public Builder cookieName(String cookieName) {
            nonBlank("cookieName", cookieName);
            if (!cookieName.chars().allMatch(c -> c > 0x20 && c < 0x7F && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw new IllegalArgumentException("cookieName: \"" + cookieName + "\" (expected an RFC 6265 token)");
            }
            this.cookieName = cookieName;
            return this;
        }

        /**
         * Sets the cookie path (default: the context path).
         *
         * @param cookiePath a path that starts with {@code /} and has no {@code ;}
         * @return this builder
         * @throws IllegalArgumentException if {@code cookiePath} is {@code null} or malformed
         */
        public Builder cookiePath(String cookiePath) {
            if (cookiePath == null || !cookiePath.startsWith("/") || cookiePath.contains(";")) {
                throw new IllegalArgumentException("cookiePath: \"" + cookiePath + "\" (expected a path starting "
                        + "with / and without ;)");
            }
            this.cookiePath = cookiePath;
            return this;
        }

        /**
         * Sets the cookie domain (default: none).
         *
         * @param cookieDomain the domain, without {@code ;} or spaces
         * @return this builder
         * @throws IllegalArgumentException if {@code cookieDomain} is blank or malformed
         */
        public Builder cookieDomain(String cookieDomain) {
            nonBlank("cookieDomain", cookieDomain);
            if (cookieDomain.contains(";") || cookieDomain.contains(" ")) {
                throw new IllegalArgumentException("cookieDomain: \"" + cookieDomain + "\" (expected a domain)");
            }
            this.cookieDomain = cookieDomain;
            return this;
        }

        /**
         * Sets whether the cookie carries {@code HttpOnly}.
         *
         * @param httpOnly {@code true} (the default) to hide the cookie from scripts
         * @return this builder
         */
        public Builder cookieHttpOnly(boolean httpOnly) {
            this.cookieHttpOnly = httpOnly;
            return this;
        }

        /**
         * Sets whether the cookie carries {@code Secure}; {@code SameSite=None} and {@code Partitioned} need it.
         *
         * @param secure {@code true} to send the cookie over HTTPS only (default {@code false})
         * @return this builder
         */
        public Builder cookieSecure(boolean secure) {
            this.cookieSecure = secure;
            return this;
        }

        /**
         * Sets SameSite: {@code Strict}, {@code Lax} (default), {@code None}, or {@code null} for no attribute.
         *
         * @param sameSite {@code Strict}, {@code Lax} or {@code None} in any case, or {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code sameSite} is another value
         */
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

        /**
         * Sets whether the cookie carries the valueless {@code Partitioned} attribute (CHIPS); browsers require Secure
         * with it, and {@link #build()} checks that.
         *
         * @param partitioned {@code true} to add {@code Partitioned} (default {@code false})
         * @return this builder
         */
        public Builder cookiePartitioned(boolean partitioned) {
            this.cookiePartitioned = partitioned;
            return this;
        }

        /**
         * Sets Max-Age in seconds; negative (default -1) for none.
         *
         * @param maxAge the Max-Age in seconds, or negative for none
         * @return this builder
         */
        public Builder cookieMaxAge(int maxAge) {
            this.cookieMaxAge = maxAge;
            return this;
        }

        /**
         * Sets the max inactive interval of new sessions in seconds; zero or negative: never expire.
         *
         * @param seconds the interval in seconds, or zero or negative for none
         * @return this builder
         */
        public Builder maxInactiveInterval(int seconds) {
            this.maxInactiveInterval = seconds;
            return this;
        }

        /**
         * Sets whether a load balancer sends a session's requests to one node; see {@link SessionConfig#sticky()}.
         *
         * @param sticky {@code true} if the load balancer keeps a session on one node (default {@code false})
         * @return this builder
         */
        public Builder sticky(boolean sticky) {
            this.sticky = sticky;
            return this;
        }

        /**
         * Sets which attribute changes are written to the grid (default {@link SaveMode#ON_SET_ATTRIBUTE}).
         *
         * @param saveMode the save mode
         * @return this builder
         */
        public Builder saveMode(SaveMode saveMode) {
            this.saveMode = Objects.requireNonNull(saveMode, "saveMode");
            return this;
        }

        /**
         * Sets the largest session in bytes (names plus serialized values; default {@value #DEFAULT_MAX_SESSION_SIZE}).
         *
         * @param bytes the bound in bytes, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxSessionSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxSessionSize: " + bytes + " (expected >= 1)");
            }
            this.maxSessionSize = bytes;
            return this;
        }

        /**
         * Sets how many sessions each node keeps in its local cache (default {@value #DEFAULT_CACHE_SIZE}).
         *
         * @param sessions the most sessions cached per node, 0 or more
         * @return this builder
         * @throws IllegalArgumentException if {@code sessions} is negative
         */
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
         *
         * @param patterns one pattern per argument, each without {@code ;}
         * @return this builder
         * @throws IllegalArgumentException if a pattern is blank or contains {@code ;}
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

        /**
         * Writes attribute values of {@code type} with Kryo under class id {@code id} instead of Java serialization;
         * register the same classes with the same ids on every node.
         *
         * @param type the attribute value class
         * @param id its Kryo class id, 100 or more and unique
         * @return this builder
         * @throws IllegalArgumentException if {@code id} is below 100 or taken, or {@code type} is already registered
         */
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

        /**
         * Adds a session listener: an {@code HttpSessionListener}, {@code HttpSessionAttributeListener} or
         * {@code HttpSessionIdListener}.
         *
         * @param listener the listener
         * @return this builder
         * @throws IllegalArgumentException if {@code listener} is none of these
         */
        public Builder listener(EventListener listener) {
            Objects.requireNonNull(listener, "listener");
            SessionListeners.check(listener);
            listeners.add(listener);
            return this;
        }

        /**
         * Builds the config, checking the rules that span settings.
         *
         * @return the immutable config
         * @throws IllegalArgumentException if {@code Partitioned} or {@code SameSite=None} is set without
         *     {@code Secure}
         */
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
