// Says it is up, then idles until its stdin closes: the bench times spawn → this line, as it times a child's
// spawn → Ready, and reads the idle process's memory as the floor of an idle child's.
System.Console.Out.WriteLine("ready");
System.Console.Out.Flush();
System.Console.In.ReadToEnd();
