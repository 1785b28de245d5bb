package com.example.greeter;

/** Plain-Java checks (no JUnit: Maven Central is not reachable from the build). Run with `java -ea`. */
public final class GreeterTest {
    public static void main(String[] args) {
        Greeter g = new Greeter();
        assert g.greet("Ada", "fr").equals("Bonjour, Ada!");
        assert g.greet(null, "xx").equals("Hello, world!");
        assert g.wordCount("the cat and the hat").get("the") == 2;
        System.out.println("GreeterTest: ok");
    }
}
