using System.CommandLine;
using Xref.Webhooks;
using Xref.Wire;

namespace Xref.Cli;

/// <summary>
/// <c>xref webhooks add|list|remove|deliveries</c>: an account's webhook subscriptions and their delivery log. The
/// signing secret is generated here and printed once, at creation; <c>list</c> never shows it.
/// </summary>
public static class WebhookCommands
{
    public static Command Commands()
    {
        var account = new Option<long>("--account") { Description = "The account whose references are watched", Required = true };
        var url = new Option<string>("--url") { Description = "Where events are POSTed: an absolute http:// or https:// URL", Required = true };
        var events = new Option<string>("--events")
        {
            Description = $"Comma-separated: {string.Join(", ", WebhookSubscription.Events)}",
            DefaultValueFactory = _ => string.Join(",", WebhookSubscription.Events),
        };
        var add = new Command("add", "Subscribe a URL to an account's events; prints its id and signing secret (the only time the secret is shown).")
            { account, url, events };
        add.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            var target = parse.GetValue(url)!;
            if (WebhookSubscription.UrlProblem(target) is { } problem) throw new CliException($"--url: {problem}.");
            var names = parse.GetValue(events)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var unknown = names.FirstOrDefault(n => !WebhookSubscription.Events.Contains(n));
            if (names.Length == 0 || unknown is not null)
                throw new CliException($"--events: {(unknown is null ? "none given" : $"'{unknown}' is not an event")}; " +
                    $"choose from {string.Join(", ", WebhookSubscription.Events)}.");
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var secret = WebhookSubscription.NewSecret();
            var accountId = parse.GetValue(account);
            var id = await Store(xref).AddAsync(accountId, target, names.Contains(WebhookSubscription.Failed),
                    names.Contains(WebhookSubscription.Recovered), secret, ct)
                ?? throw new CliException($"account {accountId} does not exist; create it with `xref accounts create`.");
            Console.Error.WriteLine($"Webhook {id} created. Its secret is shown only now; give it to the receiver to check X-Xref-Signature.");
            Console.Out.WriteLine($"id: {id}");
            Console.Out.WriteLine($"secret: {secret}");
            return 0;
        }));

        var only = new Option<long?>("--account") { Description = "Only this account's subscriptions" };
        var listJson = Listing.JsonOption();
        var list = new Command("list", "List subscriptions (id, account, events, URL, creation); never a secret.") { only, listJson };
        list.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var subscriptions = await Store(xref).ListAsync(parse.GetValue(only), ct);
            if (parse.GetValue(listJson))
            {
                await Listing.WriteJsonAsync(subscriptions, (w, s) =>
                {
                    w.WriteNumber("id", s.Id);
                    w.WriteNumber("account_id", s.AccountId);
                    w.WriteString("url", s.Url);
                    w.WriteStartArray("events");
                    foreach (var name in s.EventList.Split(',', StringSplitOptions.RemoveEmptyEntries)) w.WriteStringValue(name);
                    w.WriteEndArray();
                    w.WriteTimestamp("created_at", s.CreatedAt);
                });
                return 0;
            }
            foreach (var s in subscriptions)
                Console.Out.WriteLine($"{s.Id}  account {s.AccountId}  created {WireValues.Timestamp(s.CreatedAt)}  {s.EventList}  {s.Url}");
            return 0;
        }));

        var removeId = new Argument<long>("id") { Description = "The subscription's id (from `xref webhooks list`)" };
        var remove = new Command("remove", "Remove a subscription with its delivery log; undelivered events are dropped.") { removeId };
        remove.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var id = parse.GetValue(removeId);
            if (!await Store(xref).RemoveAsync(id, ct)) throw new CliException($"webhook {id} does not exist.");
            Console.Out.WriteLine($"webhook {id} removed");
            return 0;
        }));

        var logId = new Argument<long>("id") { Description = "The subscription's id" };
        var limit = new Option<int>("--limit") { Description = "How many, newest first", DefaultValueFactory = _ => 50 };
        var deliveriesJson = Listing.JsonOption();
        var deliveries = new Command("deliveries", "The delivery log of a subscription: event, reference, state, attempts, last answer.")
            { logId, limit, deliveriesJson };
        deliveries.SetAction((parse, ct) => XrefCli.GuardAsync(async () =>
        {
            await using var xref = await XrefCli.OpenAsync(parse, ct);
            var log = await Store(xref).DeliveriesAsync(parse.GetValue(logId), parse.GetValue(limit), ct);
            if (parse.GetValue(deliveriesJson))
            {
                await Listing.WriteJsonAsync(log, (w, d) =>
                {
                    w.WriteNumber("id", d.Id);
                    w.WriteNumber("subscription_id", d.SubscriptionId);
                    w.WriteString("event", d.Event);
                    w.WriteNumber("reference_id", d.ReferenceId);
                    w.WriteString("previous_status", d.PreviousStatus);
                    w.WriteTimestamp("occurred_at", d.OccurredAt);
                    w.WriteString("state", d.State);
                    w.WriteNumber("attempts", d.Attempts);
                    // Attempts are timed in milliseconds; written in whole seconds as every timestamp of the API.
                    w.WriteTimestamp("last_attempt_at", d.LastAttemptMs / 1000);
                    w.WriteNumberOrNull("response_status", d.ResponseStatus);
                    w.WriteString("last_error", d.LastError);
                });
                return 0;
            }
            foreach (var d in log)
            {
                var last = d.LastAttemptMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ssZ") : "never";
                Console.Out.WriteLine($"{d.Id}  {d.Event}  reference {d.ReferenceId} (was {d.PreviousStatus ?? "new"})  " +
                    $"at {WireValues.Timestamp(d.OccurredAt)}  {d.State}  attempts {d.Attempts}  last {last}" +
                    (d.ResponseStatus is { } status ? $"  HTTP {status}" : "") + (d.LastError is { } error ? $"  {error}" : ""));
            }
            return 0;
        }));
        return new Command("webhooks", "Manage webhook subscriptions (reference.failed, reference.recovered).") { add, list, remove, deliveries };
    }

    private static WebhookStore Store(CliStores xref) => new(xref.Database, xref.Accounts, TimeProvider.System);
}
