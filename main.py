from source_zendesk_support.run import run

if __name__ == "__main__":
    run()
