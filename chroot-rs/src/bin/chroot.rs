#![no_main]
common::entry!(chroot_rs::main);
