using Npgsql;
using Xref.Storage;

namespace Xref.Tests.Hosting;

/// <summary>The PostgreSQL settings Xref chooses unless the operator's URL or connection string sets them.</summary>
public sealed class DatabaseUrlTests
{
    private static NpgsqlConnectionStringBuilder Settings(string value, bool failFast = true) =>
        new(DatabaseUrl.Parse(value, failFast).ConnectionString);

    [Fact]
    public void The_server_caps_its_pool_skips_the_reset_and_fails_fast()
    {
        var s = Settings("postgres://xref@db.example:5433/ledger");
        Assert.Equal((Math.Max(16, 8 * Environment.ProcessorCount), true, 1, 2), (s.MaxPoolSize, s.NoResetOnClose, s.Timeout, s.CommandTimeout));
        Assert.Equal(("db.example", 5433, "ledger", "xref"), (s.Host, s.Port, s.Database, s.Username));
        Assert.Equal("-c plan_cache_mode=force_generic_plan", s.Options);
    }

    [Theory]
    [InlineData("postgres://xref@db/ledger?Maximum%20Pool%20Size=50&No%20Reset%20On%20Close=false&Timeout=9&Options=-c%20plan_cache_mode%3Dauto")]
    [InlineData("Host=db;Database=ledger;Username=xref;MaxPoolSize=50;NoResetOnClose=false;Timeout=9;Options='-c plan_cache_mode=auto'")]
    public void What_the_operator_sets_wins(string value)
    {
        var s = Settings(value);
        Assert.Equal((50, false, 9, 30, "-c plan_cache_mode=auto"), (s.MaxPoolSize, s.NoResetOnClose, s.Timeout, s.CommandTimeout, s.Options));
    }

    [Fact]
    public void The_cli_keeps_npgsql_pool_and_timeouts_for_long_imports()
    {
        var s = Settings("postgres://xref@db/ledger", failFast: false);
        Assert.Equal((100, true, 15, 30, null), (s.MaxPoolSize, s.NoResetOnClose, s.Timeout, s.CommandTimeout, s.Options));
    }
}
