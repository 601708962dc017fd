/* A correct file client whose main() calls SWAP() before it ends. */
int
main(int argc, char **argv)
{
	static char buf[65536];
	struct sockaddr_in a;
	int s = socket(AF_INET, SOCK_STREAM, 0), fd;
	ssize_t n;

	if (argc < 3)
		return 2;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("connect");
		return 1;
	}
	if ((fd = open("receive.dat", O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
		perror("receive.dat");
		return 1;
	}
	while ((n = read(s, buf, sizeof(buf))) > 0)
		(void)!write(fd, buf, (size_t)n);
	close(fd);
	(void)!write(s, "Thank you\n", 10);
	close(s);
	SWAP();
	return 0;
}
