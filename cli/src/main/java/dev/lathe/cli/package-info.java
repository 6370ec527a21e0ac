/** The lathe command line: Main dispatches to one Command per pipeline step. May import every module. */
package dev.lathe.cli;
