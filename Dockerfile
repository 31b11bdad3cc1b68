# slopguard: one static binary (the SQLite driver is pure Go, no cgo).
#   docker build -t slopguard .
#   docker run -p 8080:8080 -v slopguard-data:/data \
#     -e SLOPGUARD_GITHUB_APP_ID=123456 \
#     -e SLOPGUARD_GITHUB_PRIVATE_KEY_FILE=/run/secrets/github-app.pem \
#     -e SLOPGUARD_GITHUB_WEBHOOK_SECRET_FILE=/run/secrets/github-webhook-secret \
#     slopguard
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/slopguard ./cmd/slopguard
# The volume's mount point must exist, owned by the user the image runs as:
# Docker creates a missing one owned by root, and the database cannot open.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/slopguard /usr/local/bin/slopguard
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
ENV SLOPGUARD_DATABASE_URL=/data/slopguard.db \
    SLOPGUARD_LISTEN=:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/slopguard"]
CMD ["serve"]
