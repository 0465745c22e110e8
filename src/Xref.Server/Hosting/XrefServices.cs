using Microsoft.Extensions.Options;
using Xref.Accounts;
using Xref.Auth;
using Xref.Dashboard;
using Xref.ExternalReferences;
using Xref.Includes;
using Xref.Observability;
using Xref.OAuth;
using Xref.Sandbox;
using Xref.Seeding;
using Xref.StatusReports;
using Xref.Storage;
using Xref.Subjects;

namespace Xref.Hosting;

/// <summary>Service registration and the HTTP pipeline, so <c>Program.cs</c> stays wiring only.</summary>
public static class XrefServices
{
    public static IServiceCollection AddXref(this IServiceCollection services)
    {
        services.AddXrefRateLimits();
        services.AddSingleton(sp => Options.Create(XrefOptions.From(sp.GetRequiredService<IConfiguration>())));
        services.AddSingleton(sp => Database.Open(DatabaseUrl.Parse(sp.GetRequiredService<IOptions<XrefOptions>>().Value.Database)));
        // Xref's clock: real, unless the sandbox control API freezes it (tests may replace TimeProvider with their own).
        services.AddSingleton<ControlClock>();
        services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<ControlClock>());
        services.AddSingleton<StartupSeed>();
        // The sandbox control plane (Sandbox/ControlApi); its state exists always, its routes only with an admin token.
        services.AddSingleton(sp => { var o = sp.GetRequiredService<IOptions<XrefOptions>>().Value; return new RequestJournal(o.JournalSize, o.JournalBodies); });
        services.AddSingleton(sp => new FaultRules(sp.GetRequiredService<IOptions<XrefOptions>>().Value.FaultSeed));
        services.AddSingleton<Transitions>();
        services.AddSingleton<SandboxReset>();
        services.AddHostedService<TransitionTicker>();
        services.AddSingleton(sp => new FailedAuthentications(enabled: sp.GetRequiredService<RateLimits.Configured>().Setting is not null));
        services.AddSingleton<Migrator>();
        services.AddSingleton<SeedApplier>();
        services.AddSingleton<DemoAccount>();
        services.AddSingleton<TokenAuthenticator>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<ApplicationStore>();
        services.AddSingleton<AuthorizeFormTokens>();
        services.AddSingleton<SubjectStore>();
        services.AddSingleton(sp => new PageCache(sp.GetRequiredService<IOptions<XrefOptions>>().Value.PageCache));
        services.AddSingleton<ExternalReferenceStore>();
        services.AddSingleton<StatusReportStore>();
        services.AddXrefDashboard(); // Dashboard/ and Webhooks/ (issue 16)
        // Each store that owns a subject table serves includes of its type (Includes.IncludeLoader).
        services.AddSingleton<ISubjectSource>(sp => sp.GetRequiredService<SubjectStore>());
        services.AddSingleton<ISubjectSource>(sp => sp.GetRequiredService<AccountStore>());
        services.AddSingleton<ISubjectSource>(sp => sp.GetRequiredService<StatusReportStore>());
        services.AddSingleton<IncludeLoader>();
        services.AddHostedService<StartupTasks>();
        services.AddHostedService<StatisticsKeeper>();
        services.AddSingleton<StallFloor>();
        services.AddHostedService(sp => sp.GetRequiredService<StallFloor>());
        services.AddApiDocument();
        services.AddCors();
        services.AddXrefMetrics();
        return services;
    }

    public static WebApplication UseXref(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<XrefOptions>>().Value;
        app.UseRequestId();
        app.UseRequestLogging();
        if (options.ControlPlane) RequestJournal.UseRequestJournal(app, app.Services.GetRequiredService<RequestJournal>());
        StallFloor.Use(app);
        app.UseMiddleware<ErrorHandling>();
        app.UseRailsRouting();
        app.UseRouting();
        app.UseRateLimiter();
        if (options.CorsOrigins is { Length: > 0 } origins)
            app.UseCors(cors => cors.WithOrigins(origins.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .WithHeaders("Authorization", "Content-Type").AllowAnyMethod());

        app.MapHealth();
        app.MapXrefMetrics();
        app.MapApiDocument(RateLimits.PolicyName);
        var api = app.MapGroup("/api/v1").AddEndpointFilter<TokenFilter>().RequireRateLimiting(RateLimits.PolicyName);
        if (options.ControlPlane)
        {
            api.AddEndpointFilter<FaultFilter>().AddEndpointFilter<TransitionsFilter>();
            app.MapControl();
        }
        app.MapOAuth();
        api.MapExternalReferences();
        api.MapStatusReports();
        app.MapDashboard();
        return app;
    }
}
