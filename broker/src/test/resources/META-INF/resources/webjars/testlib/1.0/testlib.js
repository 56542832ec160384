/* testlib */ var x = 1;
