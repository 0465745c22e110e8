using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xref.Tests.Infrastructure;
using Xref.Wire;

namespace Xref.Tests.Wire;

/// <summary>Request bodies: JSON, Rails forms and multipart, their errors, casting and field rules (contract §1, §4, §5, §8).</summary>
public sealed class BodyTests
{
    private const string Url = Expected.UpsertUrl;

    private const string FormPrefix =
        "external_reference[subject_type]=Workspace&external_reference[subject_id]=100&external_reference[service_name]=jira" +
        "&external_reference[service_model]=issue&external_reference[service_model_ref]=WEB-1";

    private static Ref Jira(XrefApp app) => new()
    {
        SubjectId = 100, ServiceName = "jira", ServiceModel = "issue", ServiceModelRef = "WEB-1",
        CreatedAt = app.Clock.Now, UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now, Id = 1,
    };

    private static Task<string> BadBodyAsync(HttpResponseMessage response, string message) =>
        JsonAssert.ErrorAsync(response, HttpStatusCode.BadRequest, ("system", null, message));

    private static async Task AssertNothingWrittenAsync(XrefApp app) =>
        Assert.Equal(0, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));

    [Theory, AllDatabases]
    public async Task Form_json_and_multipart_bodies_give_identical_records(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var spec = new Ref
        {
            SubjectType = "Story", SubjectId = 200, ServiceModel = "issue", ServiceModelRef = "WEB 1/é&=?", Status = "failed",
            ExternalLink = "https://jira.example/browse/WEB-1?a=1&b=2", ExternalStatus = "In Progress", ExternalMessage = "line 1\nline 2 + ünïcode",
            Locked = true,
        };
        var json = await app.CreateRefAsync(spec with { ServiceName = "json" });

        static string E(string s) => Uri.EscapeDataString(s);
        var form = "external_reference[subject_type]=Story&external_reference[subject_id]=200&external_reference[service_name]=form" +
            $"&external_reference[service_model]=issue&external_reference[service_model_ref]={E(spec.ServiceModelRef)}&external_reference[status]=failed" +
            $"&external_reference[external_link]={E(spec.ExternalLink!)}&external_reference[external_status]=In+Progress" +
            $"&external_reference[external_message]={E(spec.ExternalMessage!)}&external_reference[locked]=true";
        var response = await client.PostForm(Url, form);
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(json with { Id = 2, ServiceName = "form" }));

        var multipart = new MultipartFormDataContent();
        foreach (var (key, value) in new[]
                 {
                     ("subject_type", "Story"), ("subject_id", "200"), ("service_name", "multipart"), ("service_model", "issue"),
                     ("service_model_ref", spec.ServiceModelRef), ("status", "failed"), ("external_link", spec.ExternalLink!),
                     ("external_status", "In Progress"), ("external_message", spec.ExternalMessage!), ("locked", "1"),
                 })
            multipart.Add(new StringContent(value), $"external_reference[{key}]");
        await JsonAssert.ResponseAsync(await client.PostAsync(Url, multipart), HttpStatusCode.OK,
            Expected.Single(json with { Id = 3, ServiceName = "multipart" }));

        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Story&order=created_at:asc"), HttpStatusCode.OK,
            Expected.List(json, json with { Id = 2, ServiceName = "form" }, json with { Id = 3, ServiceName = "multipart" }));
    }

    [Theory, AllDatabases]
    public async Task Form_bare_key_is_null_and_empty_value_is_null(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var created = await app.CreateRefAsync(Jira(app) with { ExternalStatus = "Open", ExternalMessage = "boom", ExternalLink = "https://x.example" });
        app.Tick();
        var response = await client.PostForm(Url, FormPrefix + "&external_reference[external_status]&external_reference[external_message]=&include=&filters=&only=1");
        var updated = created with { ExternalStatus = null, ExternalMessage = null, UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(updated));

        // A bare required key is null: 422. A bare status is absent (stays).
        await JsonAssert.ErrorAsync(await client.PostForm(Url, "external_reference[subject_type]=Workspace&external_reference[subject_id]=100" +
                "&external_reference[service_name]=jira&external_reference[service_model]&external_reference[service_model_ref]=WEB-1"),
            HttpStatusCode.UnprocessableEntity, ("validation", "service_model", "service_model is required and can't be blank."));
        app.Tick();
        response = await client.PostForm(Url, FormPrefix + "&external_reference[status]&external_reference[external_link]");
        updated = updated with { ExternalLink = null, UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(updated));
    }

    [Theory, AllDatabases]
    public async Task Booleans_are_cast_as_rails_does_in_forms_and_json(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var r = await app.CreateRefAsync(Jira(app));
        (string Value, bool Locked)[] forms = [("true", true), ("false", false), ("1", true), ("0", false), ("t", true), ("f", false), ("TRUE", true), ("False", false), ("T", true), ("F", false)];
        foreach (var (value, locked) in forms)
        {
            app.Tick();
            r = r with { Locked = locked, UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
            await JsonAssert.ResponseAsync(await client.PostForm(Url, FormPrefix + "&external_reference[locked]=" + value), HttpStatusCode.OK, Expected.Single(r));
        }
        (string Value, bool Locked)[] jsons = [("true", true), ("false", false), ("\"1\"", true), ("\"0\"", false), ("\"True\"", true), ("\"f\"", false), ("null", false)];
        foreach (var (value, locked) in jsons)
        {
            app.Tick();
            r = r with { Locked = locked, UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
            var body = $$"""{"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-1", "locked": {{value}} } }""";
            await JsonAssert.ResponseAsync(await client.PostJson(Url, body), HttpStatusCode.OK, Expected.Single(r));
            if (!locked)
            {
                // Back to true for the next value, so each cast is seen to change something.
                app.Tick();
                r = r with { Locked = true, UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
                await JsonAssert.ResponseAsync(await client.PostForm(Url, FormPrefix + "&external_reference[locked]=1"), HttpStatusCode.OK, Expected.Single(r));
            }
        }
        foreach (var (value, shown) in new[] { ("yes", "\"yes\""), ("2", "\"2\""), ("on", "\"on\""), ("truee", "\"truee\"") })
            await JsonAssert.ErrorAsync(await client.PostForm(Url, FormPrefix + "&external_reference[locked]=" + value), HttpStatusCode.UnprocessableEntity,
                ("validation", "locked", $"locked must be true or false, not {shown}."));
        await JsonAssert.ErrorAsync(await client.PostForm(Url, FormPrefix + "&external_reference[locked][]=1"), HttpStatusCode.UnprocessableEntity,
            ("validation", "locked", "locked must be true or false, not an array."));
    }

    [Theory, AllDatabases]
    public async Task Rack_nested_names_reach_fields_as_arrays_and_objects(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        await JsonAssert.ErrorAsync(await client.PostForm(Url, FormPrefix.Replace("external_reference[service_model]=issue",
                "external_reference[service_model][]=a&external_reference[service_model][]=b") + "&external_reference[external_status][0]=x&external_reference[external_message][k]=v"),
            HttpStatusCode.UnprocessableEntity,
            ("validation", "service_model", "service_model must be a string, not an array."),
            ("validation", "external_status", "external_status must be a string, not an array."),
            ("validation", "external_message", "external_message must be a string, not an object."));
        // A field given both as a value and as a hash: malformed.
        await BadBodyAsync(await client.PostForm(Url, FormPrefix + "&external_reference[service_name][x]=y"),
            "The form field name 'external_reference[service_name][x]' is malformed or conflicts with another field; use Rails-style names such as external_reference[service_name] or status_report[details][][category].");
        // The wrapper given as a plain value, or missing.
        await BadBodyAsync(await client.PostForm(Url, "external_reference=jira"),
            "'external_reference' must be an object of attributes, such as {\"external_reference\": {...}}.");
        await BadBodyAsync(await client.PostForm(Url, "subject_type=Workspace&subject_id=100"), "The body must contain an object named 'external_reference'.");
        await BadBodyAsync(await client.PostForm(Url, "external_reference[]=a"),
            "'external_reference' must be an object of attributes, such as {\"external_reference\": {...}}.");
        // include[] is ignored; a form include works.
        var created = Jira(app) with { SubjectKey = null };
        await JsonAssert.ResponseAsync(await client.PostForm(Url, FormPrefix + "&include[]=subject"), HttpStatusCode.OK, Expected.Single(created));
        await AssertWorkspace100IncludedAsync(await client.PostForm(Url, FormPrefix + "&include=subject"), app, created);
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Fact]
    public void Rack_rules_build_arrays_as_rack_does()
    {
        static string Parse(string form) => RackForm.ParseUrlEncoded(Encoding.ASCII.GetBytes(form)).ToJsonString();
        JsonAssert.Equal("""{"r":{"details":[{"category":"Scope","color":"green"},{"category":"Budget","color":"red"},{"category":"Client"}]}}""",
            Parse("r[details][][category]=Scope&r[details][][color]=green&r[details][][category]=Budget&r[details][][color]=red&r[details][][category]=Client"));
        JsonAssert.Equal("""{"r":{"details":[{"category":"Scope","color":"green"},{"color":"red","category":"Budget"}]}}""",
            Parse("r[details][][category]=Scope&r[details][][color]=green&r[details][][color]=red&r[details][][category]=Budget"));
        JsonAssert.Equal("""{"a":[{"k":"x"},{"k":"y"},{"k":"z"}]}""", Parse("a[10][k]=z&a[1][k]=y&a[0][k]=x"));
        JsonAssert.Equal("""{"a":[]}""", Parse("a[]="));
        JsonAssert.Equal("""{"a":["1","2"]}""", Parse("a[]=1&a[]=2"));
        JsonAssert.Equal("""{"a":null,"b":"","c":"x y+"}""", Parse("a&b=&c=x+y%2B"));
        JsonAssert.Equal("""{"a":{"b":{"c":"1"}}}""", Parse("a[b][c]=1"));
        JsonAssert.Equal("""{"a":"2"}""", Parse("a=1&a=2"));
    }

    [Theory, AllDatabases]
    public async Task Other_content_types_are_415(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var body = Jira(app).RequestJson();
        await JsonAssert.ErrorAsync(await client.PostAsync(Url, new StringContent(body, Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType,
            ("system", null, "Content-Type 'text/plain' is not supported; send application/json, application/x-www-form-urlencoded or multipart/form-data."));
        await JsonAssert.ErrorAsync(await client.PostAsync(Url, new StringContent(body, Encoding.UTF8, "application/xml")), HttpStatusCode.UnsupportedMediaType,
            ("system", null, "Content-Type 'application/xml' is not supported; send application/json, application/x-www-form-urlencoded or multipart/form-data."));
        var untyped = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        await JsonAssert.ErrorAsync(await client.PostAsync(Url, untyped), HttpStatusCode.UnsupportedMediaType,
            ("system", null, "The request has a body but no Content-Type; send application/json or application/x-www-form-urlencoded."));
        await AssertNothingWrittenAsync(app);
        // JSON media types with parameters or a +json suffix are JSON.
        await JsonAssert.ResponseAsync(await client.PostAsync(Url, new StringContent(body, Encoding.UTF8, "application/vnd.api+json")), HttpStatusCode.OK, Expected.Single(Jira(app)));
        var upper = new StringContent(body);
        upper.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("Application/JSON");
        app.Tick();
        await JsonAssert.ResponseAsync(await client.PostAsync(Url, upper), HttpStatusCode.OK,
            Expected.Single(Jira(app) with { CreatedAt = ManualClock.Start }));
    }

    [Theory, AllDatabases]
    public async Task Empty_and_unparseable_bodies_are_400(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        const string empty = "The request body is empty; send a JSON object such as {\"external_reference\": {...}} or Rails form fields.";
        await BadBodyAsync(await client.PostJson(Url, ""), empty);
        await BadBodyAsync(await client.PostJson(Url, " \r\n\t"), empty);
        await BadBodyAsync(await client.PostForm(Url, ""), empty);
        await BadBodyAsync(await client.PostAsync(Url, null), empty);

        const string notObject = "The JSON body must be an object, such as {\"external_reference\": {...}}.";
        foreach (var json in new[] { "[" + Jira(app).RequestJson() + "]", "\"external_reference\"", "42", "null", "true" })
            await BadBodyAsync(await client.PostJson(Url, json), notObject);

        foreach (var json in new[]
                 {
                     "{\"external_reference\": {",
                     "{'external_reference': {}}",
                     "{\"external_reference\": {\"subject_type\": \"Workspace\",}}",
                     Jira(app).RequestJson() + " {}",
                     "{\"external_reference\": {\"service_name\": \"a\", \"service_name\": \"b\"}}",
                     "{\"external_reference\": {}, \"external_reference\": {}}",
                 })
        {
            var response = await client.PostJson(Url, json);
            var node = await JsonAssert.StatusAsync(response, HttpStatusCode.BadRequest);
            var error = Assert.Single(node["errors"]!.AsArray())!.AsObject();
            Assert.Equal(["type", "message"], error.Select(p => p.Key));
            Assert.Equal("system", error["type"]!.GetValue<string>());
            Assert.StartsWith("The JSON body could not be parsed: ", error["message"]!.GetValue<string>());
            Assert.Equal(["errors"], node.AsObject().Select(p => p.Key));
        }
        // Invalid UTF-8 in a form body.
        await BadBodyAsync(await client.PostForm(Url, FormPrefix + "&external_reference[external_status]=%FF%FE"), "The form body is not valid UTF-8 after percent-decoding.");
        await AssertNothingWrittenAsync(app);
    }

    [Theory, AllDatabases]
    public async Task A_wrapper_that_is_missing_or_not_an_object_is_400(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        const string notObject = "'external_reference' must be an object of attributes, such as {\"external_reference\": {...}}.";
        foreach (var wrapper in new[] { "\"x\"", "null", "[]", "[{\"subject_type\": \"Workspace\"}]", "1", "\"\"" })
            await BadBodyAsync(await client.PostJson(Url, $$"""{"external_reference": {{wrapper}}}"""), notObject);
        foreach (var json in new[] { "{}", """{"subject_type": "Workspace", "subject_id": 100}""", """{"externalReference": {}}""", """{"status_report": {}}""" })
            await BadBodyAsync(await client.PostJson(Url, json), "The body must contain an object named 'external_reference'.");
        // An empty wrapper is well-formed: the required fields are 422.
        await JsonAssert.ErrorAsync(await client.PostJson(Url, """{"external_reference": {}}"""), HttpStatusCode.UnprocessableEntity,
            ("validation", "subject_type", "subject_type is required and can't be blank."),
            ("validation", "subject_id", "subject_id is required."),
            ("validation", "service_name", "service_name is required and can't be blank."),
            ("validation", "service_model", "service_model is required and can't be blank."),
            ("validation", "service_model_ref", "service_model_ref is required and can't be blank."));
        await AssertNothingWrittenAsync(app);
    }

    [Theory, AllDatabases]
    public async Task Bodies_over_the_limit_are_413(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        const string tooLarge = "The request body is larger than the limit of 1048576 bytes.";
        var exact = Padded(app, 1024 * 1024);
        Assert.Equal(1024 * 1024, Encoding.UTF8.GetByteCount(exact));
        await JsonAssert.ResponseAsync(await client.PostJson(Url, exact), HttpStatusCode.OK, Expected.Single(Jira(app)));

        var over = Padded(app, 1024 * 1024 + 1);
        await JsonAssert.ErrorAsync(await client.PostJson(Url, over), HttpStatusCode.RequestEntityTooLarge, ("system", null, tooLarge));
        // Without a Content-Length (chunked), too.
        var chunked = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(over)));
        chunked.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await JsonAssert.ErrorAsync(await client.PostAsync(Url, chunked), HttpStatusCode.RequestEntityTooLarge, ("system", null, tooLarge));
        // The size is checked before the type and the syntax.
        await JsonAssert.ErrorAsync(await client.PostAsync(Url, new StringContent(over, Encoding.UTF8, "text/plain")), HttpStatusCode.RequestEntityTooLarge, ("system", null, tooLarge));
        await JsonAssert.ErrorAsync(await client.PostForm(Url, new string('x', 2 * 1024 * 1024)), HttpStatusCode.RequestEntityTooLarge, ("system", null, tooLarge));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    [Theory, AllDatabases]
    public async Task The_body_limit_is_configurable(string db)
    {
        await using var app = await XrefApp.StartAsync(db, settings: new() { ["max-body-bytes"] = "300" });
        var client = app.Client();
        await JsonAssert.ResponseAsync(await client.PostJson(Url, Padded(app, 300)), HttpStatusCode.OK, Expected.Single(Jira(app)));
        await JsonAssert.ErrorAsync(await client.PostJson(Url, Padded(app, 301)), HttpStatusCode.RequestEntityTooLarge,
            ("system", null, "The request body is larger than the limit of 300 bytes."));
    }

    /// <summary>A valid create_or_update body of exactly <paramref name="bytes"/> bytes (padded in an ignored attribute).</summary>
    private static string Padded(XrefApp app, int bytes)
    {
        var template = Jira(app).RequestJson().Replace("\"subject_type\"", "\"pad\":\"\",\"subject_type\"");
        var missing = bytes - Encoding.UTF8.GetByteCount(template);
        return template.Replace("\"pad\":\"\"", $"\"pad\":\"{new string('p', missing)}\"");
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    [Theory, AllDatabases]
    public async Task Numbers_and_booleans_sent_to_string_fields_are_stored_as_text(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var response = await app.Client().PostJson(Url, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": 42, "service_model": true,
             "service_model_ref": 123, "external_status": false, "external_message": 7}}
            """);
        var expected = Jira(app) with { ServiceName = "42", ServiceModel = "true", ServiceModelRef = "123", ExternalStatus = "false", ExternalMessage = "7" };
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(expected));
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace&service_model_ref=123&service_name=42"), HttpStatusCode.OK, Expected.List(expected));
    }

    [Theory, AllDatabases]
    public async Task Subject_id_takes_an_integer_or_a_string_of_digits(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var response = await client.PostJson(Url, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": "100", "service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-1"}}
            """);
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(Jira(app)));

        foreach (var (value, shown) in new[]
                 {
                     ("\"1.5\"", "\"1.5\""), ("1.5", "1.5"), ("\" 100\"", "\" 100\""), ("\"+100\"", "\"+100\""), ("\"-1\"", "\"-1\""), ("-1", "-1"),
                     ("0", "0"), ("\"0\"", "\"0\""), ("\"abc\"", "\"abc\""), ("\"1e2\"", "\"1e2\""), ("true", "true"), ("[100]", "an array"),
                     ("{\"id\": 100}", "an object"), ("9223372036854775808", "9223372036854775808"), ("\"9223372036854775808\"", "\"9223372036854775808\""),
                 })
        {
            var body = $$"""{"external_reference": {"subject_type": "Workspace", "subject_id": {{value}}, "service_name": "x", "service_model": "issue", "service_model_ref": "R"} }""";
            await JsonAssert.ErrorAsync(await client.PostJson(Url, body), HttpStatusCode.UnprocessableEntity,
                ("validation", "subject_id", $"subject_id must be an integer from 1 to 9223372036854775807 (a number or a string of digits), not {shown}."));
        }
        foreach (var value in new[] { "null", "\"\"" })
        {
            var body = $$"""{"external_reference": {"subject_type": "Workspace", "subject_id": {{value}}, "service_name": "x", "service_model": "issue", "service_model_ref": "R"} }""";
            await JsonAssert.ErrorAsync(await client.PostJson(Url, body), HttpStatusCode.UnprocessableEntity, ("validation", "subject_id", "subject_id is required."));
        }
        // The largest id is valid, and simply not in the account.
        await JsonAssert.ErrorAsync(await client.PostJson(Url, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": "9223372036854775807", "service_name": "x", "service_model": "issue", "service_model_ref": "R"}}
            """), HttpStatusCode.UnprocessableEntity, ("validation", "subject_id", "Workspace 9223372036854775807 does not exist in your account."));
        Assert.Equal(1, await Sql.CountAsync(app, "SELECT COUNT(*) FROM external_references"));
    }

    private static async Task AssertWorkspace100IncludedAsync(HttpResponseMessage response, XrefApp app, Ref r)
    {
        var included = new JsonObject
        {
            ["workspaces"] = JsonNode.Parse("""
                {"100": {"title": "Website relaunch", "description": "New site", "archived": false,
                         "created_at": "2026-11-22T14:15:20Z", "updated_at": "2026-11-22T14:15:20Z", "creator_id": "10", "id": "100"}}
                """),
        };
        await JsonAssert.ResponseAsync(response, HttpStatusCode.OK, Expected.Single(r.WithSubject("workspaces"), included));
    }

    [Theory, AllDatabases]
    public async Task Include_in_the_body_works_and_the_query_wins(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var r = Jira(app);
        string Body(string include) => $$"""
            {"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-1"},
             "include": {{include}}, "filters": "", "optional_fields": "", "only": ""}
            """;
        await AssertWorkspace100IncludedAsync(await client.PostJson(Url, Body("\"subject\"")), app, r);
        // The query string wins, even with an unknown name.
        await JsonAssert.ResponseAsync(await client.PostJson(Url + "?include=creator", Body("\"subject\"")), HttpStatusCode.OK, Expected.Single(r));
        await AssertWorkspace100IncludedAsync(await client.PostJson(Url + "?include=subject", Body("\"creator\"")), app, r);
        // An empty query include is absent: the body's applies.
        await AssertWorkspace100IncludedAsync(await client.PostJson(Url + "?include=", Body("\"subject\"")), app, r);
        // Arrays and empty strings in the body are absent.
        await JsonAssert.ResponseAsync(await client.PostJson(Url, Body("[\"subject\"]")), HttpStatusCode.OK, Expected.Single(r));
        await JsonAssert.ResponseAsync(await client.PostJson(Url, Body("\"\"")), HttpStatusCode.OK, Expected.Single(r));
        await JsonAssert.ResponseAsync(await client.PostJson(Url, Body("null")), HttpStatusCode.OK, Expected.Single(r));
        // Form: query wins too.
        await JsonAssert.ResponseAsync(await client.PostForm(Url + "?include=nothing", FormPrefix + "&include=subject"), HttpStatusCode.OK, Expected.Single(r));
    }

    [Theory, AllDatabases]
    public async Task External_link_refuses_scripts_and_control_characters(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        const string control = "external_link must not contain control characters (tabs, newlines, NUL...).";
        (string Link, string Message)[] refused =
        [
            ("javascript:alert(1)", "external_link must not use the javascript: scheme; use http(s) or an application deep link."),
            ("JavaScript:alert(1)", "external_link must not use the javascript: scheme; use http(s) or an application deep link."),
            ("  javascript:alert(1)", "external_link must not use the javascript: scheme; use http(s) or an application deep link."),
            ("data:text/html;base64,PHNjcmlwdD4=", "external_link must not use the data: scheme; use http(s) or an application deep link."),
            ("DATA:text/html,x", "external_link must not use the data: scheme; use http(s) or an application deep link."),
            ("vbscript:msgbox(1)", "external_link must not use the vbscript: scheme; use http(s) or an application deep link."),
            ("VBScript:msgbox(1)", "external_link must not use the vbscript: scheme; use http(s) or an application deep link."),
            ("https://a.example/\u0007", control),
            ("https://a.example/x\ny", control),
            ("java\tscript:alert(1)", control),
            ("\njavascript:alert(1)", control),
            ("https://a.example/\u0000", "external_link must not contain NUL (\\u0000) characters."),
            ("https://a.example/\u007f", control),
            ("https://a.example/\u0085", control),
        ];
        foreach (var (link, message) in refused)
        {
            var body = Jira(app) with { ExternalLink = link };
            await JsonAssert.ErrorAsync(await client.PostJson(Url, body.RequestJson()), HttpStatusCode.UnprocessableEntity, ("validation", "external_link", message));
        }
        await JsonAssert.ErrorAsync(await client.PostForm(Url, FormPrefix + "&external_reference[external_link]=javascript%3Aalert(1)"),
            HttpStatusCode.UnprocessableEntity, ("validation", "external_link", "external_link must not use the javascript: scheme; use http(s) or an application deep link."));
        await JsonAssert.ErrorAsync(await client.PostForm(Url, FormPrefix + "&external_reference[external_link]=https%3A%2F%2Fa%0D%0A"),
            HttpStatusCode.UnprocessableEntity, ("validation", "external_link", control));
        await AssertNothingWrittenAsync(app);

        var r = Jira(app);
        var first = true;
        foreach (var link in new[] { "salesforce://Opportunity/006ABC", "https://jira.example/browse/WEB-1", "msteams:/l/chat/0/0", "/relative/path", "http://x.example/javascript:alert(1)", "notes://server/db" })
        {
            app.Tick();
            r = r with { ExternalLink = link, UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now, CreatedAt = first ? app.Clock.Now : r.CreatedAt };
            first = false;
            await JsonAssert.ResponseAsync(await client.PostJson(Url, r.RequestJson()), HttpStatusCode.OK, Expected.Single(r));
        }
        // null and "" clear it without any check.
        foreach (var value in new[] { "null", "\"\"" })
        {
            app.Tick();
            r = r with { ExternalLink = null, UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
            var body = $$"""{"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-1", "external_link": {{value}} } }""";
            await JsonAssert.ResponseAsync(await client.PostJson(Url, body), HttpStatusCode.OK, Expected.Single(r));
        }
    }

    [Theory, AllDatabases]
    public async Task Strings_are_limited_in_length(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var long256 = new string('s', 256);
        var response = await client.PostJson(Url, (Jira(app) with
        {
            ServiceName = long256, ServiceModel = long256, ServiceModelRef = long256, ExternalStatus = long256,
            ExternalLink = "https://x.example/" + new string('l', 2048 - 18 + 1), ExternalMessage = new string('m', 65536),
        }).RequestJson());
        await JsonAssert.ErrorAsync(response, HttpStatusCode.UnprocessableEntity,
            ("validation", "service_name", "service_name is too long (256 characters; the maximum is 255)."),
            ("validation", "service_model", "service_model is too long (256 characters; the maximum is 255)."),
            ("validation", "service_model_ref", "service_model_ref is too long (256 characters; the maximum is 255)."),
            ("validation", "external_link", "external_link is too long (2049 characters; the maximum is 2048)."),
            ("validation", "external_status", "external_status is too long (256 characters; the maximum is 255)."),
            ("validation", "external_message", "external_message is too long (65536 characters; the maximum is 65535)."));
        await AssertNothingWrittenAsync(app);

        var atLimit = Jira(app) with
        {
            ServiceName = new string('s', 255), ServiceModel = new string('m', 255), ServiceModelRef = new string('r', 255), ExternalStatus = new string('e', 255),
            ExternalLink = "https://x.example/" + new string('l', 2048 - 18), ExternalMessage = new string('m', 65535),
        };
        await JsonAssert.ResponseAsync(await client.PostJson(Url, atLimit.RequestJson()), HttpStatusCode.OK, Expected.Single(atLimit));
        await JsonAssert.ResponseAsync(await app.ListAsync("subject_type=Workspace&service_name=" + atLimit.ServiceName), HttpStatusCode.OK, Expected.List(atLimit));
    }

    [Theory, AllDatabases]
    public async Task Length_limits_count_characters_not_utf16_units(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        // 255 characters outside the Basic Multilingual Plane are 510 UTF-16 units: still 255 characters.
        var emoji = string.Concat(Enumerable.Repeat("😀", 255));
        var r = Jira(app) with { ServiceName = emoji, ServiceModelRef = string.Concat(Enumerable.Repeat("é", 255)) };
        await JsonAssert.ResponseAsync(await client.PostJson(Url, r.RequestJson()), HttpStatusCode.OK, Expected.Single(r));
        await JsonAssert.ErrorAsync(await client.PostJson(Url, (r with { ServiceName = emoji + "😀" }).RequestJson()), HttpStatusCode.UnprocessableEntity,
            ("validation", "service_name", "service_name is too long (256 characters; the maximum is 255)."));
    }

    [Theory, AllDatabases]
    public async Task Status_null_or_empty_is_absent_and_read_only_attributes_are_ignored(string db)
    {
        await using var app = await XrefApp.StartAsync(db);
        var client = app.Client();
        var r = Jira(app);
        await JsonAssert.ResponseAsync(await client.PostJson(Url, """
            {"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue",
             "service_model_ref": "WEB-1", "status": null, "id": 55, "created_at": "2001-01-01T00:00:00Z", "updated_at": "x", "last_synced_at": 1,
             "creator_id": 10, "external_reference_ids": [1], "subject_ref": {"key": "stories", "id": "200"}, "unknown": {"a": [1]}}}
            """), HttpStatusCode.OK, Expected.Single(r));
        app.Tick();
        r = r with { Status = "failed", UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
        await JsonAssert.ResponseAsync(await client.PostForm(Url, FormPrefix + "&external_reference[status]=failed"), HttpStatusCode.OK, Expected.Single(r));
        foreach (var status in new[] { "null", "\"\"" })
        {
            app.Tick();
            r = r with { UpdatedAt = app.Clock.Now, LastSyncedAt = app.Clock.Now };
            var body = $$"""{"external_reference": {"subject_type": "Workspace", "subject_id": 100, "service_name": "jira", "service_model": "issue", "service_model_ref": "WEB-1", "status": {{status}} } }""";
            await JsonAssert.ResponseAsync(await client.PostJson(Url, body), HttpStatusCode.OK, Expected.Single(r));
        }
        await JsonAssert.ErrorAsync(await client.PostForm(Url, FormPrefix + "&external_reference[status]=Failed"), HttpStatusCode.UnprocessableEntity,
            ("validation", "status", "status must be one of pending, successful, failed, not \"Failed\"."));
    }
}
