# Calc server image: build and publish with the SDK, run on the ASP.NET runtime as a non-root user.
# CI runs the same `dotnet publish` (see .ci/run); no Docker engine runs in CI.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so that layer is cached across source changes.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY protos/ protos/
COPY src/Calc.Domain/Calc.Domain.csproj src/Calc.Domain/
COPY src/Calc.Application/Calc.Application.csproj src/Calc.Application/
COPY src/Calc.Contracts/Calc.Contracts.csproj src/Calc.Contracts/
COPY src/Calc.Transport.Grpc/Calc.Transport.Grpc.csproj src/Calc.Transport.Grpc/
COPY src/Calc.Adapters.Redis/Calc.Adapters.Redis.csproj src/Calc.Adapters.Redis/
COPY src/Calc.Adapters.Cbr/Calc.Adapters.Cbr.csproj src/Calc.Adapters.Cbr/
COPY src/Calc.Adapters.Exchanges/Calc.Adapters.Exchanges.csproj src/Calc.Adapters.Exchanges/
COPY src/Calc.Server/Calc.Server.csproj src/Calc.Server/
# ReadyToRun: the assemblies (Calc's and the packages', e.g. grpc-dotnet and Google.Protobuf, which ship as IL
# only) are compiled ahead of time for the image's architecture, so a replica that starts under load does not run
# its call path unoptimized while the JIT catches up (load-tests/README.md: +5 % unary calls/s in the first 11 s).
ARG TARGETARCH=amd64
RUN dotnet restore src/Calc.Server/Calc.Server.csproj -a $TARGETARCH
COPY src/ src/
RUN dotnet publish src/Calc.Server/Calc.Server.csproj -c Release -a $TARGETARCH --self-contained false -p:PublishReadyToRun=true \
    -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# tzdata: income dates are derived in Europe/Moscow (and any IANA zone a client names).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tzdata \
 && rm -rf /var/lib/apt/lists/*
ENV TZ=Etc/UTC \
    DOTNET_gcServer=1 \
    urls=http://0.0.0.0:8080 \
    Http1Urls=http://0.0.0.0:8081
WORKDIR /app
COPY --from=build /app ./
# The aspnet image ships an unprivileged 'app' user (uid 1654).
USER app
# 8080: gRPC, gRPC-Web and JSON (HTTP/2 cleartext); 8081: JSON (transcoding) and gRPC-Web over HTTP/1.1,
# /openapi/v1.json, /health, /alive (probe these:
# the runtime image has no curl, so liveness/readiness probes belong to the orchestrator).
EXPOSE 8080 8081
ENTRYPOINT ["dotnet", "Calc.Server.dll"]
