# Build: docker build -t token-gateway:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY conf conf
COPY src src
RUN mvn -B -q package -DskipTests

# Runs on the current LTS; the jar is built for Java 17 (--release 17) and runs on either.
FROM eclipse-temurin:25-jre
RUN groupadd --system --gid 10001 gateway && useradd --system --uid 10001 --gid gateway --no-create-home gateway
WORKDIR /app
COPY --from=build /src/target/token-gateway.jar /app/token-gateway.jar
COPY conf /app/conf
USER 10001:10001
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Dvertx.cacheDirBase=/tmp/vertx-cache"
EXPOSE 8080 9090
ENTRYPOINT ["java", "-jar", "/app/token-gateway.jar"]
