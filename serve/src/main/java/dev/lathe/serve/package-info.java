package dev.lathe.serve;
