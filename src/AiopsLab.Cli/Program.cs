return await AiopsLab.Cli.CliApp.RunAsync(args, Console.Out, Console.Error);
