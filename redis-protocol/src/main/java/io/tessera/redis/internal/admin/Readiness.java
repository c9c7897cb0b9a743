package io.tessera.redis.internal.admin;

/**
 * Whether a node should get traffic now, and if not why: what {@code GET /health/ready} answers (200 or 503) and
 * the status page shows.
 *
 * @param ready whether load balancers and Kubernetes should send clients to the node
 * @param reason why not, in words an operator acts on ({@code partition table not settled}); null when ready
 */
public record Readiness(boolean ready, String reason) {
    /** Ready. */
    public static final Readiness UP = new Readiness(true, null);

    /** Not ready, because of {@code reason}. */
    public static Readiness down(String reason) {
        return new Readiness(false, reason);
    }

    /** {@code {"status":"UP"}} or {@code {"status":"DOWN","reason":"..."}}. */
    public String toJson() {
        JsonWriter json = new JsonWriter().beginObject().name("status").value(ready ? "UP" : "DOWN");
        if (!ready) {
            json.name("reason").value(reason);
        }
        return json.endObject().toString();
    }
}
