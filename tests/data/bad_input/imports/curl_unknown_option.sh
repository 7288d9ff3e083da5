curl http://127.0.0.1:8080/health
curl --proxy http://proxy:3128 http://127.0.0.1:8080/health
