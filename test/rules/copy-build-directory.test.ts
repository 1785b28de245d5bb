import { copyBuildDirectory } from '../../src/rules/base/copy-build-directory.js';
import { testRule } from '../helpers/rule-tester.js';

testRule(copyBuildDirectory, {
  valid: [
    'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=build /out/app /app\n',
    {
      name: 'dotnet publish into its own folder, copied whole',
      code: 'FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nWORKDIR /source\nCOPY . .\nRUN dotnet publish -c Release -o /app\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY --from=build /app .\n',
    },
    {
      name: 'an interpreted app: the tree is the app (the Rails template)',
      code: 'FROM ruby:3.3 AS build\nWORKDIR /rails\nCOPY . .\nRUN bundle exec bootsnap precompile app/\nFROM ruby:3.3-slim\nCOPY --from=build /rails /rails\n',
    },
    {
      name: 'a subdirectory of the build directory (the artifact folder)',
      code: 'FROM gradle:8-jdk21 AS build\nWORKDIR /app\nCOPY . .\nRUN gradle installDist\nFROM eclipse-temurin:21-jre\nCOPY --from=build /app/build/install/svc /opt/svc\n',
    },
    {
      name: "the whole filesystem is copy-whole-filesystem's finding",
      code: 'FROM golang:1.22 AS build\nWORKDIR /src\nRUN go build -o app .\nFROM alpine:3.20\nCOPY --from=build / /\n',
    },
  ],
  invalid: [
    {
      name: 'gradle installDist in /app, all of /app copied',
      code: 'FROM eclipse-temurin:21 AS builder\nWORKDIR /app\nCOPY . .\nRUN ./gradlew installDist\nFROM eclipse-temurin:21-jre-alpine\nWORKDIR /app\nCOPY --from=builder /app .\n',
      findings: [
        {
          line: 7,
          message: 'copies the whole directory `./gradlew installDist` ran in (line 4)',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'go build in a subdirectory of the copied folder, after a cd',
      code: 'FROM golang:1.22 AS build\nWORKDIR /go/src/app\nCOPY . .\nRUN cd cmd/server && go build -o server .\nFROM debian:12-slim\nCOPY --from=build /go/src/app /opt/app\n',
      findings: [{ line: 6, message: '/go/src/app' }],
    },
  ],
});
