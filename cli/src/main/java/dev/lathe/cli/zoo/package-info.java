/**
 * {@code lathe zoo list} and {@code lathe zoo build}: the model zoo on the command line. Uses models, graph-ops
 * (serde, counting) and converter (checkpoint binding); nothing imports it but {@code Main}.
 */
package dev.lathe.cli.zoo;
