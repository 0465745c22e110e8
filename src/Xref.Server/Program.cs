using Xref.Cli;

// The command line decides: an operator command, or (without one) the server, each with its own options.
return await XrefCli.RunAsync(args);

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program
{
}
