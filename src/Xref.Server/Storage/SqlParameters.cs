using System.Data;
using System.Data.Common;

namespace Xref.Storage;

/// <summary>
/// A statement's named parameters, in one list that binds to any command or batch command. Every value a request
/// sends reaches SQL through here, never through the statement text.
/// </summary>
public sealed class SqlParameters
{
    private readonly List<(string Name, object? Value, DbType? Type)> values = [];

    public static SqlParameters None => new();

    /// <summary>Adds a parameter; a null value is sent as a typed NULL (<paramref name="type"/>, text by default).</summary>
    public SqlParameters Add(string name, object? value, DbType? type = null)
    {
        values.Add((name, value, type));
        return this;
    }

    /// <summary>Adds this list's parameters to <paramref name="other"/> (a statement that extends a WHERE clause's).</summary>
    public void AppendTo(SqlParameters other) => other.values.AddRange(values);

    /// <summary>Adds this list's parameters to a command's or batch command's collection.</summary>
    public void BindTo(DbParameterCollection target, Func<DbParameter> create)
    {
        foreach (var (name, value, type) in values)
        {
            var parameter = create();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (type is { } t) parameter.DbType = t;
            else if (value is null) parameter.DbType = DbType.String;
            target.Add(parameter);
        }
    }
}
