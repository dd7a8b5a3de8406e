using System.Text;
using Envoy.Cli;

Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
return await CliApp.RunAsync(args).ConfigureAwait(false);
