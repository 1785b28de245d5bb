package com.example.greeter;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

/** Entry point: an HTTP server on the JDK's built-in com.sun.net.httpserver. */
public final class App {
    private App() {}

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        Routes routes = new Routes(new Greeter());
        server.createContext("/health", routes::health);
        server.createContext("/api/greet", routes::greet);
        server.createContext("/api/wordcount", routes::wordCount);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("greeter listening on :" + port);
    }
}
