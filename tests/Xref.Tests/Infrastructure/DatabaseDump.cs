using System.Text;
using Dapper;

namespace Xref.Tests.Infrastructure;

/// <summary>A canonical text dump of every table Xref writes, for "nothing changed" assertions (last_used_at left out).</summary>
public static class DatabaseDump
{
    private static readonly string[] Queries =
    [
        "SELECT id, name, auto_subjects, created_at, updated_at FROM accounts ORDER BY id",
        "SELECT id, account_id, full_name, email_address, headline, photo_path, created_at, updated_at FROM users ORDER BY id",
        "SELECT id, account_id, user_id, token_hash, scope, created_at, revoked_at, application_id FROM api_tokens ORDER BY id",
        "SELECT id, account_id, name, client_id, client_secret_hash, redirect_uris, created_at FROM oauth_applications ORDER BY id",
        "SELECT code_hash, application_id, user_id, redirect_uri, expires_at, used_at, token_id FROM oauth_authorization_codes ORDER BY code_hash",
        "SELECT type, id, account_id, attributes, created_at, updated_at FROM subjects ORDER BY type, id",
        "SELECT * FROM external_references ORDER BY id",
        "SELECT * FROM status_reports ORDER BY id",
        "SELECT key, value FROM xref_state ORDER BY key",
    ];

    public static async Task<string> TakeAsync(XrefApp app)
    {
        var dump = new StringBuilder();
        await app.Database.ReadAsync(async c =>
        {
            foreach (var query in Queries)
            {
                dump.AppendLine(query);
                foreach (IDictionary<string, object?> row in await c.QueryAsync(query))
                    dump.AppendLine(string.Join(" | ", row.Select(kv => $"{kv.Key}={kv.Value}")));
            }
            return 0;
        });
        return dump.ToString();
    }
}
