import { buildsAtStart } from '../../src/rules/base/builds-at-start.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(buildsAtStart, {
  valid: [
    'FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\nCMD ["/app"]\n',
    'FROM node:20-slim\nCMD ["npm", "start"]\n',
    'FROM node:20-slim\nCMD ["npm", "run", "dev"]\n',
    'FROM eclipse-temurin:21-jre\nCOPY app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
    {
      name: 'a go run in a builder stage is a build step, not the start',
      code: 'FROM golang:1.22 AS gen\nRUN go run ./cmd/gen > /out.txt\nFROM alpine:3.20\nCOPY --from=gen /out.txt /\nCMD ["cat", "/out.txt"]\n',
    },
    {
      name: 'a CMD the shell-form ENTRYPOINT ignores',
      code: 'FROM golang:1.22\nENTRYPOINT /usr/local/bin/app\nCMD ["go", "run", "."]\n',
    },
    {
      name: 'a development target',
      code: 'FROM golang:1.22 AS dev\nCMD ["go", "run", "."]\n',
    },
  ],
  invalid: [
    {
      name: 'go run',
      code: 'FROM golang:1.22\nWORKDIR /app\nCOPY . .\nCMD ["go", "run", "./cmd/web"]\n',
      findings: [
        { line: 4, message: 'compiles the Go program every time the container starts', severity: 'warning' },
      ],
    },
    {
      name: 'cargo run in shell form',
      code: 'FROM rust:1.79\nCOPY . .\nCMD cargo run --release\n',
      findings: [{ line: 3, message: 'Rust' }],
    },
    {
      name: 'mvn spring-boot:run and gradle bootRun through the wrapper',
      code: 'FROM maven:3.9-eclipse-temurin-17\nCMD ["mvn", "spring-boot:run"]\nFROM eclipse-temurin:17-jdk\nCMD ["./gradlew", "bootRun"]\n',
      findings: [{ line: 4, message: 'Gradle' }],
    },
    {
      name: 'dotnet run as ENTRYPOINT',
      code: 'FROM mcr.microsoft.com/dotnet/sdk:8.0\nENTRYPOINT ["dotnet", "run", "--urls", "http://0.0.0.0:5000"]\n',
      findings: [{ line: 2, message: '.NET' }],
    },
    {
      name: 'ts-node through npx',
      code: 'FROM node:20-slim\nCMD ["npx", "ts-node", "src/index.ts"]\n',
      findings: [{ line: 2, message: 'TypeScript' }],
    },
    {
      name: 'an install before the start, in sh -c',
      code: 'FROM node:20-slim\nCMD ["sh", "-c", "npm install && npm start"]\n',
      findings: [{ line: 2, message: 'downloads the dependencies' }],
    },
    {
      name: 'an exec-form ENTRYPOINT with the rest in CMD',
      code: 'FROM golang:1.22\nENTRYPOINT ["go"]\nCMD ["run", "."]\n',
      findings: [{ line: 3, message: '`go run .`' }],
    },
  ],
});
