package com.example.greeter;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The business logic: greetings in a few languages and a word counter. */
public final class Greeter {
    private static final Map<String, String> GREETINGS = new TreeMap<>(Map.of(
            "de", "Hallo",
            "en", "Hello",
            "es", "Hola",
            "fr", "Bonjour",
            "zh", "\u4f60\u597d"));

    public String greet(String name, String lang) {
        String hello = GREETINGS.getOrDefault(lang == null ? "en" : lang.toLowerCase(Locale.ROOT), GREETINGS.get("en"));
        return hello + ", " + (name == null || name.isBlank() ? "world" : name.strip()) + "!";
    }

    /** Counts words (lower-cased, split on anything that is not a letter or digit), sorted by word. */
    public Map<String, Integer> wordCount(String text) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!word.isEmpty()) {
                counts.merge(word, 1, Integer::sum);
            }
        }
        return counts;
    }
}
