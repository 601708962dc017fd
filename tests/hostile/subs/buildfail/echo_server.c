/* Does not compile: a missing semicolon and an undeclared name. */
#include <stdio.h>
int main(void) { printf("hello\n") return undeclared_thing; }
