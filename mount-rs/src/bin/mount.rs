#![no_main]
common::entry!(mount_rs::mount::main);
