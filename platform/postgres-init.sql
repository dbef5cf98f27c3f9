-- Run once by the postgres container on an empty volume.
CREATE ROLE olive LOGIN PASSWORD 'olive';
CREATE DATABASE olive OWNER olive;
ALTER ROLE olive CREATEDB;  -- the test runner creates test_olive
