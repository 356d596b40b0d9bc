# One image for every eventgate component; docker-compose.yml picks the main class per service.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests -pl local-stack -am package \
 && mkdir -p /app/lib \
 && cp local-stack/target/lib/*.jar local-stack/target/*.jar /app/lib/

FROM eclipse-temurin:21-jre
WORKDIR /app
COPY --from=build /app/lib /app/lib
COPY config /app/config
ENV JAVA_OPTS=""
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -Djava.util.logging.config.file=/app/config/logging.properties -cp '/app/lib/*' \"$@\"", "--"]
