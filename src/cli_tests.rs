//! The command line explains itself: every argument of every command has help.

use clap::{CommandFactory as _, Parser as _};

use super::Cli;

/// `path` of every argument below `command` (itself included) that has no help text.
fn args_without_help(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        if matches!(id, "help" | "version") {
            continue;
        }
        let has_help = arg.get_help().is_some_and(|help| !help.to_string().trim().is_empty());
        if !has_help {
            missing.push(format!("{path} --{id}"));
        }
    }
    for sub in command.get_subcommands() {
        args_without_help(sub, &format!("{path} {}", sub.get_name()), missing);
    }
}

#[test]
fn every_argument_of_every_command_has_help() {
    let mut missing = Vec::new();
    args_without_help(&Cli::command(), "forcesync", &mut missing);
    assert!(missing.is_empty(), "arguments without help: {missing:#?}");
}

#[test]
fn the_command_tree_is_valid() {
    Cli::command().debug_assert();
}

#[test]
fn http_listen_takes_an_address_or_off() {
    use super::HttpListen;
    assert_eq!("off".parse::<HttpListen>(), Ok(HttpListen(None)));
    assert_eq!("127.0.0.1:9464".parse::<HttpListen>(), Ok(HttpListen(Some(([127, 0, 0, 1], 9464).into()))));
    assert!("localhost".parse::<HttpListen>().is_err());
    let cli = Cli::try_parse_from(["forcesync", "serve"]).expect("parses");
    let super::Command::Serve(args) = cli.command else { panic!("serve") };
    assert_eq!(args.http_listen, HttpListen(Some(([127, 0, 0, 1], 9464).into())), "the default");
}
