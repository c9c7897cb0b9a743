package io.tessera.jetty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A browser with one cookie jar for many Jetty nodes on 127.0.0.1: it keeps the {@code JSESSIONID} cookie whichever
 * node set it (as a load balancer in front of them would let it) and sends it to every node.
 */
final class SessionClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile String sessionCookie;

    /** GETs {@code url} with the session cookie, remembers a new one, and returns the response. */
    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        String cookie = sessionCookie;
        if (cookie != null) {
            request.header("Cookie", "JSESSIONID=" + cookie);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        List<String> setCookies = response.headers().allValues("Set-Cookie");
        for (String setCookie : setCookies) {
            if (setCookie.startsWith("JSESSIONID=")) {
                String value = setCookie.substring("JSESSIONID=".length()).split(";", 2)[0];
                sessionCookie = value.isEmpty() ? null : value;
            }
        }
        return response;
    }

    /** GETs {@code url} and returns the body, failing on a status other than 200. */
    String body(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = get(url);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /** The session id in the cookie, without the worker suffix, or {@code null}. */
    String sessionId() {
        String cookie = sessionCookie;
        if (cookie == null) {
            return null;
        }
        int dot = cookie.indexOf('.');
        return dot < 0 ? cookie : cookie.substring(0, dot);
    }

    /** Forgets the cookie. */
    void clear() {
        sessionCookie = null;
    }
}
