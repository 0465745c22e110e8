using System.Text;

namespace Xref.Storage;

/// <summary>
/// Builds a WHERE clause from column names the caller chose from a fixed list; every value becomes a
/// parameter, so no request text ever reaches the SQL. It always starts with the caller's account.
/// </summary>
public sealed class WhereClause
{
    private readonly StringBuilder sql = new();
    private readonly Database database;
    private int next;

    public WhereClause(Database database, string accountColumn, long accountId)
    {
        this.database = database;
        sql.Append(accountColumn).Append(" = @account_id");
        Parameters.Add("account_id", accountId);
    }

    /// <summary>The values of every condition added so far.</summary>
    public SqlParameters Parameters { get; } = new();

    /// <summary>True when a filter can match no row (<c>only=</c> with no valid id, a non-numeric id filter).</summary>
    public bool MatchesNothing { get; private set; }

    public WhereClause Nothing()
    {
        MatchesNothing = true;
        return this;
    }

    /// <summary>Adds a parameter and returns its name (with the @).</summary>
    public string Parameter(object? value)
    {
        var name = $"p{next++}";
        Parameters.Add(name, value);
        return "@" + name;
    }

    /// <summary><c>AND column = value</c>, skipped when value is null.</summary>
    public WhereClause Equal(string column, object? value) => value switch
    {
        null => this,
        string text when CannotBeStored(text) => Nothing(),
        _ => And($"{column} = {Parameter(value)}"),
    };

    /// <summary><c>AND column = id</c> for an id filter sent as text: one that is not an id matches nothing (contract §8).</summary>
    public WhereClause EqualId(string column, string? value)
    {
        if (value is null) return this;
        return Wire.RecordId.TryParse(value, out var id) ? Equal(column, id) : Nothing();
    }

    /// <summary>No stored string contains NUL (writes refuse it, PostgreSQL cannot hold it): such a filter matches nothing.</summary>
    public static bool CannotBeStored(string value) => value.Contains('\0');

    /// <summary><c>AND column op value</c> for a date bound (op is &lt; or &gt;).</summary>
    public WhereClause Compare(string column, string op, long value) => And($"{column} {op} {Parameter(value)}");

    /// <summary><c>AND column IN (ids)</c>; null adds nothing, an empty list matches nothing.</summary>
    public WhereClause InIds(string column, IReadOnlyCollection<long>? ids)
    {
        if (ids is null) return this;
        if (ids.Count == 0) return Nothing();
        return And(database.InIds(column, Parameter(database.IdsParameter(ids))));
    }

    /// <summary>A condition written by the caller (an EXISTS sub-query) whose values went through <see cref="Parameter"/>.</summary>
    public WhereClause And(string condition)
    {
        sql.Append(" AND ").Append(condition);
        return this;
    }

    public override string ToString() => sql.ToString();
}
