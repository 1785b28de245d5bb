#!/bin/sh
# Compiles the sources and packages build/greeter.jar (no Maven needed).
set -e
rm -rf build
mkdir -p build/classes
javac --release 17 -encoding UTF-8 -d build/classes $(find src/main/java -name '*.java')
jar --create --file build/greeter.jar --main-class com.example.greeter.App -C build/classes .
echo "built build/greeter.jar"
