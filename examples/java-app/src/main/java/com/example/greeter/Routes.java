package com.example.greeter;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** HTTP handlers; every response is JSON. */
final class Routes {
    private final Greeter greeter;

    Routes(Greeter greeter) {
        this.greeter = greeter;
    }

    void health(HttpExchange ex) throws IOException {
        send(ex, 200, Json.object(Map.of("status", "ok")));
    }

    void greet(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", greeter.greet(q.get("name"), q.get("lang")));
        send(ex, 200, Json.object(body));
    }

    void wordCount(HttpExchange ex) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            send(ex, 405, Json.object(Map.of("error", "POST text to count its words")));
            return;
        }
        String text;
        try (InputStream in = ex.getRequestBody()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Integer> counts = greeter.wordCount(text);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("words", counts.values().stream().mapToInt(Integer::intValue).sum());
        body.put("counts", counts);
        send(ex, 200, Json.object(body));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
