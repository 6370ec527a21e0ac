/**
 * Writing the files Lathe produces: atomically (a temporary file beside the target, renamed over it at the end),
 * with the permissions the user's umask gives a new file, temporary files removed when the process is interrupted,
 * and errors that name the file the user asked for. Depends on nothing else in Lathe; any module may import it.
 */
package dev.lathe.graph.files;
