# Xref in a container: the SDK image publishes, the ASP.NET runtime image runs it as a non-root user.
#   docker build -t xref .
#   docker run -p 5080:5080 -v xref-data:/data xref                       # the ledger, SQLite in the /data volume
#   docker run -p 5080:5080 xref --sandbox --database memory               # a throwaway Kantata OX sandbox
# The publish command below is the one tests/Xref.Tests/Hosting/ContainerTests.cs runs.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Xref.slnx ./
COPY src/ src/
RUN dotnet publish src/Xref.Server/Xref.Server.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app ./
# The image's built-in non-root user (uid 1654); /data holds the SQLite database.
RUN mkdir -p /data && chown app /data
USER app
VOLUME /data
ENV ASPNETCORE_URLS=http://+:5080 \
    XREF_DATABASE=sqlite:/data/xref.db
EXPOSE 5080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["dotnet", "/app/xref.dll", "healthcheck", "--url", "http://127.0.0.1:5080/health"]
ENTRYPOINT ["dotnet", "/app/xref.dll"]
