using System.Reflection;
using Xunit.Sdk;

namespace Xref.Tests.Infrastructure;

/// <summary>Runs a storage test once on SQLite and once on PostgreSQL (the test takes the database name).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AllDatabasesAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [["sqlite"], ["postgres"]];
}
